namespace PianoJudges.Tests.Encoders.Weights;

using System.IO.Compression;
using System.Text;
using PianoJudges.Encoders.Weights;
using PianoJudges.Native;
using TorchSharp;
using static TorchSharp.torch;

public class TorchCheckpointTests
{
    public TorchCheckpointTests() => TorchRuntime.EnsureInitialised();

    [Fact]
    public void AStateDictSavedByTorchMatchesTheSameTensorsSavedAsSafetensors()
    {
        // tiny-postnorm.bin holds a transposed (strided) view and two views sharing one storage at an offset.
        using var bin = StateDict.Load(WeightsFixtures.Mert("tiny-postnorm.bin"));
        using var st = StateDict.Load(WeightsFixtures.Mert("tiny-postnorm.weights.safetensors"));
        Assert.Equal(st.Keys, bin.Keys);
        foreach (var (k, t) in st)
        {
            Assert.Equal(t.shape, bin[k].shape);
            Assert.True(t.equal(bin[k]).all().item<bool>(), k);
        }
        Assert.False(bin["encoder.layers.0.attention.q_proj.weight"].is_contiguous());
    }

    [Fact]
    public void ATrainingCheckpointYieldsItsNestedStateDictOnlyWhenItsExtraClassIsAdmitted()
    {
        string path = WeightsFixtures.Mert("training-checkpoint.pth.tar");
        var refused = Assert.Throws<UnsafeCheckpointException>(() => StateDict.Load(path));
        Assert.Equal("argparse.Namespace", refused.Global);
        Assert.Contains(path, refused.Message);

        using var sd = TorchCheckpoint.LoadStateDict(path, inertClasses: ["argparse.Namespace"]);
        using var expected = Safetensors.Load(WeightsFixtures.Mert("training-checkpoint.expected.safetensors"));
        Assert.Equal(expected.Keys, sd.Keys);
        foreach (var (k, t) in expected)
        {
            Assert.Equal(t.dtype, sd[k].dtype);
            Assert.True(t.equal(sd[k]).all().item<bool>(), k);
        }
        using var explicitEntry = TorchCheckpoint.LoadStateDict(path, "state_dict", ["argparse.Namespace"]);
        Assert.Equal(3, explicitEntry.Count);
        var missing = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.LoadStateDict(path, "model", ["argparse.Namespace"]));
        Assert.Contains("state_dict", missing.Message); // lists the keys that exist
    }

    [Theory]
    // GLOBAL 'os system', ('touch MARKER',), REDUCE: the classic payload.
    [InlineData("os.system", 2, "touch MARKER")]
    // STACK_GLOBAL (protocol 4) 'builtins' 'eval'.
    [InlineData("builtins.eval", 4, "__import__('os').system('touch MARKER')")]
    [InlineData("subprocess.Popen", 2, "touch MARKER")]
    // A rebuild function's name under another module is another global.
    [InlineData("evil._utils._rebuild_tensor_v2", 2, "x")]
    public void PicklesNamingOtherGlobalsAreRefusedAndNothingRuns(string global, int protocol, string argument)
    {
        using var dir = new WeightsFixtures.TempDir();
        string marker = dir.File("MARKER");
        string path = dir.File("evil.pth");
        string arg = argument.Replace("MARKER", marker);
        int dot = global.LastIndexOf('.');
        var payload = protocol == 2
            ? Pickle2($"c{global[..dot]}\n{global[(dot + 1)..]}\n", arg)
            : Pickle4(global[..dot], global[(dot + 1)..], arg);
        WriteZipCheckpoint(path, payload);
        var e = Assert.Throws<UnsafeCheckpointException>(() => StateDict.Load(path));
        Assert.Equal(global, e.Global);
        Assert.Contains(path, e.Message);
        Assert.Contains(global, e.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void TruncatedAndNonCheckpointZipsFailClearly()
    {
        using var dir = new WeightsFixtures.TempDir();
        string truncated = dir.File("t.pth");
        WriteZipCheckpoint(truncated, [0x80, 0x02, (byte)'}', (byte)'q']);
        Assert.Contains("ends early", Assert.Throws<CheckpointFormatException>(() => StateDict.Load(truncated)).Message);

        string plainZip = dir.File("z.bin");
        using (var zip = ZipFile.Open(plainZip, ZipArchiveMode.Create))
            using (var w = new StreamWriter(zip.CreateEntry("readme.txt").Open())) w.Write("hi");
        Assert.Contains("without data.pkl", Assert.Throws<CheckpointFormatException>(() => StateDict.Load(plainZip)).Message);
    }

    internal static byte[] Pickle2(string global, string arg)
    {
        var b = new List<byte> { 0x80, 0x02 };
        b.AddRange(Encoding.ASCII.GetBytes(global));
        b.Add((byte)'X');
        b.AddRange(BitConverter.GetBytes(arg.Length));
        b.AddRange(Encoding.ASCII.GetBytes(arg));
        b.AddRange([0x85, (byte)'R', (byte)'.']);
        return [.. b];
    }

    private static byte[] Pickle4(string module, string name, string arg)
    {
        var b = new List<byte> { 0x80, 0x04 };
        foreach (var s in new[] { module, name })
        {
            b.Add(0x8c);
            b.Add((byte)s.Length);
            b.AddRange(Encoding.ASCII.GetBytes(s));
        }
        b.Add(0x93);
        b.Add((byte)'X');
        b.AddRange(BitConverter.GetBytes(arg.Length));
        b.AddRange(Encoding.ASCII.GetBytes(arg));
        b.AddRange([0x85, (byte)'R', (byte)'.']);
        return [.. b];
    }

    internal static void WriteZipCheckpoint(string path, byte[] dataPkl)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var s = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open()) s.Write(dataPkl);
        using (var s = zip.CreateEntry("archive/version").Open()) s.Write("3\n"u8);
    }
}
