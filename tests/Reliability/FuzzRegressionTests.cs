namespace PianoJudges.Tests.Reliability;

using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Encoders.Weights;
using PianoJudges.Native;
using PianoJudges.Tests.Support;

/// <summary>
/// Every file under tests/Fixtures/fuzz-regressions/TARGET/ (kept by tools/fuzz.sh: the fuzzer's crashes and hangs, and
/// for targets where it found none, queue entries that reach distinct error paths; the folder's README.md lists them)
/// goes through the real reader of its format, which must either read it or fail with the format's clear error naming
/// the file, within a bound of time. docs/RELIABILITY.md ("Fuzzing") states the contract.
/// </summary>
public class FuzzRegressionTests
{
    /// <summary>The fuzz targets of fuzz/Targets.cs, one folder each.</summary>
    private static readonly string[] Targets = ["wav", "ogg", "mp3", "safetensors", "pickle", "manifest"];

    /// <summary>Far above any of these files' read time (milliseconds); afl-fuzz counted 5 s as a hang.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static string Folder => Path.Combine(RepoPaths.Root, "tests", "Fixtures", "fuzz-regressions");

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in Targets)
        {
            string dir = Path.Combine(Folder, target);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.GetFiles(dir).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                data.Add(target, Path.GetFileName(file));
        }
        return data;
    }

    [Fact]
    public void EveryTargetKeepsInputs()
    {
        foreach (var target in Targets)
        {
            string dir = Path.Combine(Folder, target);
            Assert.True(Directory.Exists(dir), $"missing {dir}");
            Assert.Contains(Directory.GetFiles(dir), f => !f.EndsWith(".md", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task ReadsOrFailsWithTheClearError(string target, string file)
    {
        string path = Path.Combine(Folder, target, file);
        var read = Task.Run(() => Read(target, path));
        Assert.True(await Task.WhenAny(read, Task.Delay(Bound)) == read, $"{target}/{file}: still reading after {Bound.TotalSeconds:0} s");
        foreach (var error in await read)
            Assert.Contains(path, error.Message); // the clear error names the file
    }

    /// <summary>Reads the file as the project does; returns the clear errors, lets any other exception fail the test.</summary>
    private static List<Exception> Read(string target, string path)
    {
        var errors = new List<Exception>();
        void Expect<TClear>(Action read) where TClear : Exception
        {
            try { read(); }
            catch (TClear e) { errors.Add(e); }
        }
        switch (target)
        {
            case "wav" or "ogg" or "mp3":
            {
                // no external decoder: a file sniffed as another container fails at once instead of depending on ffmpeg;
                // read whole (with the duration check) and cut as the embedding pipeline reads (without it)
                var whole = new AudioReadOptions { FfmpegExecutable = "/nonexistent/ffmpeg" };
                Expect<AudioFormatException>(() => AudioReader.Read(path, whole));
                Expect<AudioFormatException>(() => AudioReader.Read(path, whole with { MaxSeconds = 300.1 }));
                break;
            }
            case "safetensors":
                TorchRuntime.EnsureInitialised();
                Expect<CheckpointFormatException>(() => { using var sd = StateDict.Load(path); });
                Expect<InvalidDataException>(() => SafeTensorsFile.Read(path));
                break;
            case "pickle":
                TorchRuntime.EnsureInitialised();
                Expect<CheckpointFormatException>(() => { using var sd = TorchCheckpoint.LoadStateDict(path, inertClasses: ["argparse.Namespace"]); });
                break;
            case "manifest":
                Expect<ManifestException>(() => ManifestIO.Read(path));
                break;
            default:
                throw new ArgumentException($"no reader for fuzz target {target}");
        }
        return errors;
    }
}
