namespace PianoJudges.FineTuning;

using PianoJudges.Audio;
using PianoJudges.Data;

/// <summary>How a corpus turns run positions into excerpts.</summary>
public enum ExcerptOrder
{
    /// <summary>Each excerpt: a file drawn uniformly, then an offset drawn uniformly (no original release samples this way).</summary>
    Uniform,
    /// <summary>
    /// audiotools' AudioDataset with <c>without_replacement</c> (DAC's base.yml): the file list shuffled once by
    /// <see cref="ExcerptSampling.ShuffleSeed"/>, item i of the run takes file i mod N, at a uniform random offset
    /// (AudioSignal.salient_excerpt: redrawn while quieter than the loudness cutoff, up to Tries times, the last kept).
    /// </summary>
    ShuffledFiles,
    /// <summary>
    /// Audio-MAE's AudiosetDataset under DistributedSampler(shuffle) and DataLoader(drop_last): one item per file (a 10 s
    /// clip), read from its start; every epoch a new permutation of the files, split into whole optimiser steps (the
    /// remainder of an epoch is dropped).
    /// </summary>
    FileEpochs,
}

/// <summary>An objective's sampling of the corpus.</summary>
/// <param name="Order">Which file and where in it.</param>
/// <param name="LoudnessCutoffLufs">ShuffledFiles: an excerpt at or below this loudness is redrawn (audiotools' loudness_cutoff -40); NaN = never.</param>
/// <param name="Tries">ShuffledFiles: at most this many draws per excerpt (salient_excerpt's num_tries 8).</param>
/// <param name="ShuffleSeed">Seed of the file order (ShuffledFiles: audiotools' shuffle_state 0; FileEpochs: the sampler's seed 0, mixed with the epoch).</param>
public sealed record ExcerptSampling(ExcerptOrder Order, double LoudnessCutoffLufs = double.NaN, int Tries = 8, ulong ShuffleSeed = 0)
{
    /// <summary>A uniform file, a uniform offset.</summary>
    public static ExcerptSampling Uniform { get; } = new(ExcerptOrder.Uniform);

    /// <summary>DAC's training data (audiotools AudioLoader/AudioDataset as conf/base.yml configures them).</summary>
    public static ExcerptSampling Dac { get; } = new(ExcerptOrder.ShuffledFiles, LoudnessCutoffLufs: -40.0);

    /// <summary>Audio-MAE's training data (a list of 10 s clips, one item per file, shuffled every epoch).</summary>
    public static ExcerptSampling AudioMae { get; } = new(ExcerptOrder.FileEpochs);

    /// <summary>The name written to a run's trainer.json (a resumed run must keep it).</summary>
    public string Describe() => Order switch
    {
        ExcerptOrder.ShuffledFiles => $"shuffled-files(cutoff {LoudnessCutoffLufs.ToString(System.Globalization.CultureInfo.InvariantCulture)}, tries {Tries}, seed {ShuffleSeed})",
        ExcerptOrder.FileEpochs => $"file-epochs(seed {ShuffleSeed})",
        _ => "uniform",
    };
}

/// <summary>
/// Which excerpts one micro-batch needs: items <paramref name="FirstItem"/> .. FirstItem + Count - 1 of optimiser step
/// <paramref name="Step"/>, which takes <paramref name="ItemsPerStep"/> excerpts in all, each <paramref name="Samples"/> long.
/// </summary>
public sealed record ExcerptRequest(ExcerptSampling Sampling, long Step, int ItemsPerStep, int FirstItem, int Count, int Samples)
{
    /// <summary>Position of the run's first excerpt of this request (0-based, counting every excerpt of every step).</summary>
    public long GlobalFirst => Step * ItemsPerStep + FirstItem;
}

/// <summary>Where training excerpts come from: <see cref="PianoCorpus"/> for audio files.</summary>
public interface IExcerptSource
{
    /// <summary>The mono excerpts of <paramref name="request"/>, fixed by the request and <paramref name="rng"/> alone (so a seed fixes them).</summary>
    float[][] Draw(ExcerptRequest request, SplitMix64 rng);
}

/// <summary>A corpus file that will not be used, and why.</summary>
public sealed record CorpusNote(string Path, string Problem);

/// <summary>
/// Piano audio for self-supervised fine-tuning: every decodable file under a folder (recursively), listed in a text
/// file (one path per line, relative to the list, '#' comments), a single audio file, or named by a manifest (.csv, audio found by
/// <see cref="AudioLocator"/> under the manifest's folder or a given root). Which file and which part of it each excerpt
/// takes is the objective's <see cref="ExcerptSampling"/>; an excerpt running past the end of a file is zero-padded.
/// Files are decoded with <see cref="AudioReader"/>, down-mixed and resampled to the objective's rate, a few kept decoded.
/// A file that fails to decode is skipped wherever it falls in the order (the next file in the order, or a new uniform
/// draw, takes its place), so the excerpts depend on which files are broken, never on when that was found out.
/// </summary>
public sealed class PianoCorpus : IExcerptSource
{
    /// <summary>Extensions <see cref="AudioReader"/> decodes.</summary>
    public static readonly IReadOnlyList<string> Decodable = [".wav", ".wave", ".ogg", ".oga", ".mp3"];

    private readonly List<string> files;
    private readonly List<CorpusNote> skipped;
    private readonly int sampleRate, cacheFiles;
    private readonly LinkedList<(string path, float[] audio)> cache = new();
    private readonly HashSet<string> broken = [];
    private readonly HashSet<string> longFiles = [];
    private int[]? shuffled, epochOrder;
    private ulong shuffledSeed;
    private (ulong seed, long epoch) epochOrderKey;
    private LoudnessMeter? meter;

    private PianoCorpus(List<string> files, List<CorpusNote> skipped, int sampleRate, int cacheFiles, string source)
    {
        this.files = files;
        this.skipped = skipped;
        this.sampleRate = sampleRate;
        this.cacheFiles = cacheFiles;
        Source = source;
        if (files.Count == 0)
            throw new InvalidDataException($"{source}: no decodable audio ({string.Join(", ", Decodable)}); {skipped.Count} file(s) skipped" +
                (skipped.Count > 0 ? $", e.g. {skipped[0].Path}: {skipped[0].Problem}" : ""));
    }

    public string Source { get; }
    /// <summary>The usable files (those found broken when drawn are left out).</summary>
    public IReadOnlyList<string> Files => files.Where(f => !broken.Contains(f)).ToList();
    /// <summary>Excerpts redrawn because they were at or below the loudness cutoff (ShuffledFiles), since the corpus was opened.</summary>
    public int QuietDraws { get; private set; }
    /// <summary>FileEpochs: how many files seen were longer than twice the excerpt (only their start is used: cut long recordings into clips).</summary>
    public int LongFiles => longFiles.Count;
    private LoudnessMeter Meter => meter ??= new LoudnessMeter(sampleRate, LoudnessMeterOptions.Audiotools);
    /// <summary>Files left out (non-audio, undecodable format, or failed to decode when drawn), with the reason.</summary>
    public IReadOnlyList<CorpusNote> Skipped => skipped;
    public int SampleRate => sampleRate;

    /// <summary>Opens a folder, a list file or a manifest (.csv) as a corpus at <paramref name="sampleRate"/>.</summary>
    /// <param name="audioRoot">For a manifest: where its audio lies (default: the manifest's folder).</param>
    public static PianoCorpus Open(string path, int sampleRate, string? audioRoot = null, int cacheFiles = 4)
    {
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "must be positive");
        var skipped = new List<CorpusNote>();
        var files = new List<string>();
        if (Directory.Exists(path))
        {
            foreach (var f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                Classify(f, files, skipped);
        }
        else if (File.Exists(path) && Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase))
        {
            var manifest = ManifestIO.Read(path);
            var located = new AudioLocator(audioRoot ?? Path.GetDirectoryName(Path.GetFullPath(path))!).Locate(manifest);
            foreach (var m in located.Missing) skipped.Add(new CorpusNote(m.Row.AudioId, m.Reason));
            foreach (var f in located.Found.Select(f => f.Path).Distinct().Order(StringComparer.Ordinal)) Classify(f, files, skipped);
        }
        else if (File.Exists(path) && AudioLocator.Extensions.Concat(Decodable).Contains(Path.GetExtension(path).ToLowerInvariant()))
        {
            Classify(Path.GetFullPath(path), files, skipped);
        }
        else if (File.Exists(path))
        {
            string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            int line = 0;
            foreach (var raw in File.ReadLines(path))
            {
                line++;
                string entry = raw.Trim();
                if (entry.Length == 0 || entry.StartsWith('#')) continue;
                if (entry.IndexOfAny(Path.GetInvalidPathChars()) >= 0 || entry.Contains('\0'))
                    throw new InvalidDataException($"{path} line {line}: not a file path; a corpus list holds one audio path per line");
                string full = Path.GetFullPath(Path.Combine(dir, entry));
                if (!File.Exists(full)) skipped.Add(new CorpusNote(full, $"{path} line {line}: file not found"));
                else Classify(full, files, skipped);
            }
        }
        else throw new FileNotFoundException($"corpus '{path}' is neither a folder nor a list/manifest file", path);
        return new PianoCorpus(files, skipped, sampleRate, Math.Max(1, cacheFiles), path);
    }

    private static void Classify(string file, List<string> files, List<CorpusNote> skipped)
    {
        string ext = Path.GetExtension(file).ToLowerInvariant();
        if (Decodable.Contains(ext)) files.Add(file);
        else if (AudioLocator.Extensions.Contains(ext)) skipped.Add(new CorpusNote(file, $"'{ext}' audio is not decodable here; convert it to WAV, OGG or MP3"));
        else skipped.Add(new CorpusNote(file, "not an audio file"));
    }

    /// <summary><paramref name="count"/> excerpts of <paramref name="samples"/> samples, each a uniform file at a uniform offset.</summary>
    public float[][] Draw(int count, int samples, SplitMix64 rng) =>
        Draw(new ExcerptRequest(ExcerptSampling.Uniform, 0, Math.Max(1, count), 0, count, samples), rng);

    public float[][] Draw(ExcerptRequest request, SplitMix64 rng)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Samples < 1) throw new ArgumentOutOfRangeException(nameof(request), request.Samples, "Samples must be positive");
        if (request.Count < 0 || request.ItemsPerStep < 1 || request.FirstItem < 0 || request.FirstItem + request.Count > request.ItemsPerStep)
            throw new ArgumentOutOfRangeException(nameof(request), request, "items FirstItem .. FirstItem + Count must lie within ItemsPerStep");
        var sampling = request.Sampling;
        var result = new float[request.Count][];
        for (int k = 0; k < request.Count; k++)
        {
            result[k] = sampling.Order switch
            {
                ExcerptOrder.Uniform => UniformExcerpt(request.Samples, rng),
                ExcerptOrder.ShuffledFiles => SalientExcerpt(ShuffledFile(request.GlobalFirst + k, sampling.ShuffleSeed), request.Samples, sampling, rng),
                ExcerptOrder.FileEpochs => Start(EpochFile(request, request.FirstItem + k, sampling.ShuffleSeed), request.Samples),
                _ => throw new ArgumentOutOfRangeException(nameof(request), sampling.Order, "unknown ExcerptOrder"),
            };
        }
        return result;
    }

    /// <summary>Uniform file (redrawn while it is broken), uniform offset.</summary>
    private float[] UniformExcerpt(int samples, SplitMix64 rng)
    {
        while (true)
        {
            if (broken.Count == files.Count) throw new InvalidDataException($"{Source}: every file failed to decode; see Skipped");
            var audio = TryDecode(files[rng.NextInt(files.Count)]);
            if (audio is null) continue;
            return Crop(audio, audio.Length <= samples ? 0 : rng.NextInt(audio.Length - samples + 1), samples);
        }
    }

    /// <summary>Item <paramref name="item"/> of audiotools' shuffled list (AudioLoader: shuffled once, then taken by global_idx mod N), decoded.</summary>
    private float[] ShuffledFile(long item, ulong seed)
    {
        if (shuffled is null || shuffledSeed != seed)
        {
            shuffled = Permutation(files.Count, new SplitMix64(SplitMix64.Mix(seed ^ 0xA0D107001UL)));
            shuffledSeed = seed;
        }
        var order = shuffled;
        return FirstDecodable(i => files[order[(int)((item + i) % files.Count)]]).audio;
    }

    /// <summary>
    /// Item <paramref name="index"/> of a step under FileEpochs: steps per epoch = floor(N / ItemsPerStep) (drop_last); epoch e's
    /// order is a permutation seeded by (seed, e). With fewer files than a step needs, epochs run back to back without dropping.
    /// </summary>
    private (string file, float[] audio) EpochFile(ExcerptRequest request, int index, ulong seed)
    {
        int n = files.Count;
        long epoch, position;
        if (n >= request.ItemsPerStep)
        {
            long stepsPerEpoch = n / request.ItemsPerStep;
            epoch = request.Step / stepsPerEpoch;
            position = request.Step % stepsPerEpoch * request.ItemsPerStep + index;
        }
        else
        {
            long global = request.Step * request.ItemsPerStep + index;
            (epoch, position) = (global / n, global % n);
        }
        if (epochOrder is null || epochOrderKey != (seed, epoch))
        {
            epochOrder = Permutation(n, new SplitMix64(SplitMix64.Mix(seed ^ 0xE90C4UL) + (ulong)epoch * SplitMix64.Gamma));
            epochOrderKey = (seed, epoch);
        }
        var order = epochOrder;
        return FirstDecodable(i => files[order[(int)((position + i) % n)]]);
    }

    /// <summary>The file <paramref name="at"/>(0) decoded, or the first decodable one after it in the order.</summary>
    private (string file, float[] audio) FirstDecodable(Func<int, string> at)
    {
        for (int i = 0; i < files.Count; i++)
            if (TryDecode(at(i)) is { } audio) return (at(i), audio);
        throw new InvalidDataException($"{Source}: every file failed to decode; see Skipped");
    }

    /// <summary>
    /// AudioSignal.salient_excerpt: a uniform offset, measured with audiotools' loudness (BS.1770, padded to 0.5 s, floor -70),
    /// redrawn while at or below the cutoff, at most Tries draws; the last draw is kept even if it is quiet.
    /// </summary>
    private float[] SalientExcerpt(float[] audio, int samples, ExcerptSampling sampling, SplitMix64 rng)
    {
        float[] crop;
        int tries = 0;
        do
        {
            crop = Crop(audio, audio.Length <= samples ? 0 : (int)Math.Floor(rng.NextDouble() * (audio.Length - samples + 1)), samples);
            tries++;
            if (double.IsNaN(sampling.LoudnessCutoffLufs)) break;
            // audiotools measures the excerpt before padding it to the crop length.
            double lufs = Meter.Integrated(crop.AsSpan(0, Math.Min(samples, audio.Length)));
            if (lufs > sampling.LoudnessCutoffLufs) break;
            QuietDraws++;
        }
        while (tries < Math.Max(1, sampling.Tries));
        return crop;
    }

    /// <summary>The first <paramref name="samples"/> of a file (zero-padded), as Audio-MAE reads a clip from its start.</summary>
    private float[] Start((string file, float[] audio) item, int samples)
    {
        if (item.audio.Length > 2 * samples) longFiles.Add(item.file);
        return Crop(item.audio, 0, samples);
    }

    private static float[] Crop(float[] audio, int offset, int samples)
    {
        var crop = new float[samples];
        Array.Copy(audio, offset, crop, 0, Math.Min(samples, audio.Length - offset));
        return crop;
    }

    /// <summary>Fisher-Yates permutation of 0 .. n-1.</summary>
    private static int[] Permutation(int n, SplitMix64 rng)
    {
        var p = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    /// <summary>The file decoded, or null after noting it as broken.</summary>
    private float[]? TryDecode(string file)
    {
        if (broken.Contains(file)) return null;
        try
        {
            return Decoded(file);
        }
        catch (AudioFormatException e)
        {
            broken.Add(file);
            skipped.Add(new CorpusNote(file, e.Message));
            return null;
        }
    }

    private float[] Decoded(string file)
    {
        for (var node = cache.First; node is not null; node = node.Next)
        {
            if (node.Value.path != file) continue;
            cache.Remove(node);
            cache.AddFirst(node);
            return node.Value.audio;
        }
        var clip = AudioReader.Read(file);
        var mono = Resampler.Resample(clip.ToMono(), clip.SampleRate, sampleRate);
        cache.AddFirst((file, mono));
        while (cache.Count > cacheFiles) cache.RemoveLast();
        return mono;
    }
}
