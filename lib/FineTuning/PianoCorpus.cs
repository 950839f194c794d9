namespace PianoJudges.FineTuning;

using PianoJudges.Audio;
using PianoJudges.Data;

/// <summary>Where training excerpts come from: <see cref="PianoCorpus"/> for audio files.</summary>
public interface IExcerptSource
{
    /// <summary><paramref name="count"/> mono excerpts of <paramref name="samples"/> samples each, drawn with <paramref name="rng"/> only (so a seed fixes them).</summary>
    float[][] Draw(int count, int samples, SplitMix64 rng);
}

/// <summary>A corpus file that will not be used, and why.</summary>
public sealed record CorpusNote(string Path, string Problem);

/// <summary>
/// Piano audio for self-supervised fine-tuning: every decodable file under a folder (recursively), listed in a text
/// file (one path per line, relative to the list, '#' comments), a single audio file, or named by a manifest (.csv, audio found by
/// <see cref="AudioLocator"/> under the manifest's folder or a given root). Excerpts are random crops: a file drawn
/// uniformly, then an offset drawn uniformly; a file shorter than the crop is zero-padded at the end. Files are decoded
/// with <see cref="AudioReader"/>, down-mixed and resampled to the objective's rate, a few kept decoded.
/// </summary>
public sealed class PianoCorpus : IExcerptSource
{
    /// <summary>Extensions <see cref="AudioReader"/> decodes.</summary>
    public static readonly IReadOnlyList<string> Decodable = [".wav", ".wave", ".ogg", ".oga", ".mp3"];

    private readonly List<string> files;
    private readonly List<CorpusNote> skipped;
    private readonly int sampleRate, cacheFiles;
    private readonly LinkedList<(string path, float[] audio)> cache = new();

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
    public IReadOnlyList<string> Files => files;
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

    public float[][] Draw(int count, int samples, SplitMix64 rng)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "must be positive");
        var result = new float[count][];
        for (int i = 0; i < count; i++)
        {
            float[] audio;
            while (true)
            {
                if (files.Count == 0) throw new InvalidDataException($"{Source}: every file failed to decode; see Skipped");
                string file = files[rng.NextInt(files.Count)];
                try
                {
                    audio = Decoded(file);
                    break;
                }
                catch (AudioFormatException e)
                {
                    // A broken file is dropped and the draw repeated; a resumed run sees the same list only if the file stays broken.
                    files.Remove(file);
                    skipped.Add(new CorpusNote(file, e.Message));
                }
            }
            var crop = new float[samples];
            if (audio.Length <= samples) audio.CopyTo(crop, 0);
            else Array.Copy(audio, rng.NextInt(audio.Length - samples + 1), crop, 0, samples);
            result[i] = crop;
        }
        return result;
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
