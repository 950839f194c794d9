namespace PianoJudges.Fuzz;

using System.IO.Compression;
using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Encoders.Weights;

/// <summary>
/// One parser of downloaded or user-given files, fed a fuzzer's input. The contract every target checks: the input
/// either parses or fails with the project's clear error type for that format; any other exception escaping
/// <see cref="Run"/> (and a hang or an out-of-memory, which the fuzzer sees from outside) is a bug.
/// </summary>
/// <param name="Name">The name used on the command line and as the folder under tests/Fixtures/fuzz-regressions/.</param>
/// <param name="Extension">The file name extension the input is written with (the audio reader uses it to break ties).</param>
/// <param name="Run">Parses the file at the given path as the project does; swallows only the clear error type.</param>
/// <param name="Export">Turns a fuzzer input into the file that is parsed and kept as a regression fixture: the same bytes,
/// except for the ogg target (page checksums recomputed, <see cref="OggCrc"/>) and the pickle target (wrapped in a checkpoint zip).</param>
internal sealed record FuzzTarget(string Name, string Extension, Action<string> Run, Func<byte[], byte[]> Export, bool NeedsTorch = false);

internal static class Targets
{
    /// <summary>A path that is never an executable: formats without a built-in decoder fail fast instead of starting ffmpeg.</summary>
    private const string NoFfmpeg = "/nonexistent/pianojudges-fuzz/ffmpeg";

    /// <summary>The reader options of the audio targets: the defaults (whole file, 1 hour at most), without ffmpeg.</summary>
    public static readonly AudioReadOptions AudioOptions = new() { FfmpegExecutable = NoFfmpeg };

    /// <summary>The embedding pipeline's cut (AudioLoader: 30 segments of 10 s and 0.1 s of filter context), which skips the
    /// duration check: inputs of odd length are read with it, even ones whole.</summary>
    public static readonly AudioReadOptions PipelineOptions = AudioOptions with { MaxSeconds = 300.1 };

    /// <summary>Python classes a training checkpoint may hold as plain data (the tests' fixture has an argparse.Namespace).</summary>
    public static readonly string[] InertClasses = ["argparse.Namespace"];

    public static readonly IReadOnlyList<FuzzTarget> All =
    [
        Audio("wav", ".wav"),
        Audio("ogg", ".ogg") with { Export = OggCrc.FixPages },
        Audio("mp3", ".mp3"),
        new("safetensors", ".safetensors", path =>
        {
            // the weights loader (TorchSharp tensors) and the byte-level reader of the embedding cache
            Expect<CheckpointFormatException>(() => { using var sd = StateDict.Load(path); });
            Expect<InvalidDataException>(() => SafeTensorsFile.Read(path));
        }, bytes => bytes, NeedsTorch: true),
        new("pickle", ".pth", path => Expect<CheckpointFormatException>(() =>
        {
            using var sd = TorchCheckpoint.LoadStateDict(path, inertClasses: InertClasses);
        }), PickleCheckpoint.Wrap, NeedsTorch: true),
        new("manifest", ".csv", path => Expect<ManifestException>(() => ManifestIO.Read(path)), bytes => bytes),
    ];

    public static FuzzTarget Get(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"unknown fuzz target '{name}'; the targets are {string.Join(", ", All.Select(t => t.Name))}");

    private static FuzzTarget Audio(string name, string extension) =>
        new(name, extension, path => Expect<AudioFormatException>(() =>
            AudioReader.Read(path, new FileInfo(path).Length % 2 == 1 ? PipelineOptions : AudioOptions)), bytes => bytes);

    /// <summary>The clear errors the current thread's last execution ended in (replay prints them).</summary>
    [ThreadStatic] public static List<Exception>? ClearErrors;

    private static void Expect<TClear>(Action parse) where TClear : Exception
    {
        try { parse(); }
        catch (TClear e) { ClearErrors?.Add(e); }
    }
}

/// <summary>
/// The pickle target's inputs are the data.pkl of a PyTorch checkpoint: each is wrapped into a copy of the tests'
/// training-checkpoint fixture (its storages, byte order and version entries kept), so the fuzzer mutates the
/// object graph while the zip stays valid and the real loader (TorchCheckpoint) reads it.
/// </summary>
internal static class PickleCheckpoint
{
    private static readonly Lazy<(string Prefix, List<(string Name, byte[] Bytes)> Entries)> Template = new(() =>
    {
        using var zip = ZipFile.OpenRead(RepoPaths.Fixture("Mert/training-checkpoint.pth.tar"));
        string pkl = zip.Entries.Single(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)).FullName;
        var entries = zip.Entries.Where(e => e.FullName != pkl).Select(e => (e.FullName, ReadAll(e))).ToList();
        return (pkl[..^"data.pkl".Length], entries);
    });

    public static byte[] Wrap(byte[] pickle)
    {
        var (prefix, entries) = Template.Value;
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, prefix + "data.pkl", pickle);
            foreach (var (name, bytes) in entries) Add(zip, name, bytes);
        }
        return ms.ToArray();
    }

    /// <summary>The data.pkl of a checkpoint fixture (a seed).</summary>
    public static byte[] Pickle(string fixture)
    {
        using var zip = ZipFile.OpenRead(RepoPaths.Fixture(fixture));
        return ReadAll(zip.Entries.Single(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)));
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        s.Write(bytes);
    }

    private static byte[] ReadAll(ZipArchiveEntry e)
    {
        using var s = e.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}

internal static class RepoPaths
{
    /// <summary>The repository root: the first folder above the harness's output that holds PianoJudges.Lib.csproj.</summary>
    public static readonly Lazy<string> Root = new(() =>
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "PianoJudges.Lib.csproj"))) return d.FullName;
        throw new InvalidOperationException($"no PianoJudges.Lib.csproj above {AppContext.BaseDirectory}: run the harness from its build output in the repository");
    });

    public static string Fixture(string relative) => Path.Combine(Root.Value, "tests", "Fixtures", relative);
}
