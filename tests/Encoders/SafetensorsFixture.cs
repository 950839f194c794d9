namespace PianoJudges.Tests.Encoders;

using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Reads the small F32/F64/I64 safetensors fixtures that tools/parity/*.py write (test-side only; the library's loader lives in lib/Encoders/Weights).</summary>
public sealed class SafetensorsFixture
{
    private readonly Dictionary<string, (string Dtype, long[] Shape, byte[] Data)> entries = new();

    public SafetensorsFixture(string name)
    {
        Path = System.IO.Path.Combine(AppContext.BaseDirectory, "Encoders", "Fixtures", name);
        var bytes = File.ReadAllBytes(Path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var doc = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        int body = 8 + (int)headerLength;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__") continue;
            var dtype = p.Value.GetProperty("dtype").GetString()!;
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            entries[p.Name] = (dtype, shape, bytes[(body + offsets[0])..(body + offsets[1])]);
        }
    }

    public string Path { get; }
    public IEnumerable<string> Keys => entries.Keys;

    public Tensor Tensor(string key)
    {
        var (dtype, shape, data) = entries.TryGetValue(key, out var e) ? e : throw new KeyNotFoundException($"{Path}: no '{key}'");
        return dtype switch
        {
            "F32" => torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data).ToArray(), shape),
            "F64" => torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(data).ToArray(), shape),
            "I64" => torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(data).ToArray(), shape),
            _ => throw new NotSupportedException(dtype),
        };
    }

    public float[] Floats(string key) => Tensor(key).to(ScalarType.Float32).data<float>().ToArray();

    /// <summary>All keys not starting with "out." or "in.": the weights, under their checkpoint names.</summary>
    public Dictionary<string, Tensor> Weights() =>
        entries.Keys.Where(k => !k.StartsWith("out.", StringComparison.Ordinal) && !k.StartsWith("in.", StringComparison.Ordinal))
            .ToDictionary(k => k, Tensor);

    /// <summary>Largest |a - b| over max(1, |b|).</summary>
    public static double MaxRelativeError(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        var a = actual.to(ScalarType.Float64);
        var b = expected.to(ScalarType.Float64);
        return ((a - b).abs() / b.abs().clamp_min(1.0)).max().item<double>();
    }
}
