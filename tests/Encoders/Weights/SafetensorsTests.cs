namespace PianoJudges.Tests.Encoders.Weights;

using System.Text;
using PianoJudges.Data;
using PianoJudges.Encoders.Weights;
using PianoJudges.Native;
using TorchSharp;
using static TorchSharp.torch;

public class SafetensorsTests
{
    public SafetensorsTests() => TorchRuntime.EnsureInitialised();

    [Fact]
    public void RoundTripKeepsDtypesShapesValuesOrderAndMetadata()
    {
        using var dir = new WeightsFixtures.TempDir();
        using var scope = NewDisposeScope();
        var f32 = torch.arange(24, dtype: ScalarType.Float32).reshape(2, 3, 4) / 7;
        var tensors = new Dictionary<string, Tensor>
        {
            ["z.f32"] = f32,
            ["a.f16"] = (f32 * 3).to(ScalarType.Float16),
            ["m.bf16"] = (-f32).to(ScalarType.BFloat16),
            ["i64"] = torch.tensor(new long[] { -5, 1L << 40 }),
            ["bool"] = torch.tensor(new[] { true, false, true }),
            ["scalar"] = torch.tensor(3.5f),
            ["empty"] = torch.zeros(0, 4),
            ["strided"] = f32.transpose(0, 2), // written contiguously
        };
        string path = dir.File("t.safetensors");
        Safetensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });

        using var back = Safetensors.Load(path, out var meta);
        Assert.Equal("pt", meta["format"]);
        Assert.Equal(tensors.Keys, back.Keys);
        foreach (var (k, t) in tensors)
        {
            Assert.Equal(t.dtype, back[k].dtype);
            Assert.Equal(t.shape, back[k].shape);
            Assert.True(t.to(ScalarType.Float64).equal(back[k].to(ScalarType.Float64)).all().item<bool>(), k);
        }
        // The header is padded to 8 bytes so tensor data stays aligned.
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0UL, BitConverter.ToUInt64(bytes, 0) % 8);
    }

    [Fact]
    public void ReadsAFileWrittenByPythonByteForByte()
    {
        // Written by tools/parity/mert_reference.py; the golden input is stored as raw float32.
        var idx = Safetensors.ReadIndex(WeightsFixtures.Mert("tiny-stable.golden.safetensors"));
        Assert.Contains(idx, e => e.Name == "wave" && e.DType == ScalarType.Float32 && e.Shape.SequenceEqual(new long[] { 2, 1600 }));
        using var sd = Safetensors.Load(WeightsFixtures.Mert("tiny-stable.golden.safetensors"), out var meta);
        Assert.StartsWith("1.13", meta["torch"]);
        Assert.Equal(new long[] { 2, 79, 16 }, sd["hidden_states.2"].shape);
    }

    [Fact]
    public void CorruptFilesFailWithTheFileNameAndTheProblem()
    {
        using var dir = new WeightsFixtures.TempDir();
        string tooLong = dir.File("long.safetensors");
        File.WriteAllBytes(tooLong, [.. BitConverter.GetBytes(1000UL), .. "{}"u8.ToArray()]);
        var e1 = Assert.Throws<CheckpointFormatException>(() => StateDict.Load(tooLong));
        Assert.Contains(tooLong, e1.Message);
        Assert.Contains("header length 1000", e1.Message);

        string badShape = dir.File("shape.safetensors");
        var json = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}");
        File.WriteAllBytes(badShape, [.. BitConverter.GetBytes((ulong)json.Length), .. json, .. new byte[8]]);
        var e2 = Assert.Throws<CheckpointFormatException>(() => StateDict.Load(badShape));
        Assert.Contains("'w'", e2.Message);
        Assert.Contains("8 bytes", e2.Message);

        string badDtype = dir.File("dtype.safetensors");
        json = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}");
        File.WriteAllBytes(badDtype, [.. BitConverter.GetBytes((ulong)json.Length), .. json, 0]);
        Assert.Contains("F8_E4M3", Assert.Throws<CheckpointFormatException>(() => StateDict.Load(badDtype)).Message);
    }

    [Fact]
    public void TheEmbeddingCachesBytesAndTheWeightsLoadersTensorsAreOneFormat()
    {
        using var dir = new WeightsFixtures.TempDir();
        using var scope = NewDisposeScope();
        float[] values = [1.5f, -2.25f, 3f, 0.125f, 7f, -0.5f];
        string cachePath = dir.File("cache.safetensors");
        SafeTensorsFile.Write(cachePath, new Dictionary<string, SafeTensor>
        {
            ["embedding"] = SafeTensor.FromFloats(values, [1, 2, 3], float16: true),
            ["mask"] = new SafeTensor("U8", [1], [1]),
        }, new Dictionary<string, string> { ["encoder"] = "dac" });
        using (var sd = Safetensors.Load(cachePath, out var meta))
        {
            Assert.Equal("dac", meta["encoder"]);
            Assert.Equal(ScalarType.Float16, sd["embedding"].dtype);
            Assert.Equal(values, sd["embedding"].to(ScalarType.Float32).data<float>().ToArray());
            Assert.Equal(new long[] { 1 }, sd["mask"].shape);
        }

        string weightsPath = dir.File("weights.safetensors");
        Safetensors.Save(weightsPath, new Dictionary<string, Tensor> { ["w"] = torch.tensor(values).reshape(3, 2) });
        var (tensors, _) = SafeTensorsFile.Read(weightsPath);
        Assert.Equal(new long[] { 3, 2 }, tensors["w"].Shape);
        Assert.Equal(values, tensors["w"].ToFloats());

        // The same corruption is found by both, each in its own exception type.
        File.WriteAllBytes(cachePath, File.ReadAllBytes(cachePath)[..^4]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(cachePath)).Message);
        Assert.Contains("truncated", Assert.Throws<CheckpointFormatException>(() => Safetensors.Load(cachePath)).Message);
    }

    [Fact]
    public void LoadDispatchesOnContentAndRejectsFoldersAndLegacyPickles()
    {
        using var dir = new WeightsFixtures.TempDir();
        Assert.Contains("is a folder", Assert.Throws<CheckpointFormatException>(() => StateDict.Load(dir.Path)).Message);
        string legacy = dir.File("old.pth");
        File.WriteAllBytes(legacy, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20]);
        Assert.Contains("legacy", Assert.Throws<CheckpointFormatException>(() => StateDict.Load(legacy)).Message);
        // A .bin name does not matter: the content (zip) decides.
        string renamed = dir.File("weights.safetensors");
        File.Copy(WeightsFixtures.Mert("tiny-postnorm.bin"), renamed);
        using var sd = StateDict.Load(renamed);
        Assert.True(sd.Count > 10);
    }
}
