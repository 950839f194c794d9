namespace PianoJudges.Tests.Encoders;

using PianoJudges.Encoders.Weights;
using PianoJudges.Tests.Encoders.Weights;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// A parity fixture under tests/Fixtures (written by tools/parity/*.py): weights under their checkpoint keys,
/// inputs under "in.*" and reference outputs under "out.*".
/// </summary>
public sealed class ParityFixture
{
    private readonly StateDict tensors;

    public ParityFixture(string folder, string file)
    {
        Path = WeightsFixtures.Path_(folder, file);
        tensors = Safetensors.Load(Path);
    }

    public string Path { get; }

    public Tensor Tensor(string key) => tensors[key];

    public float[] Floats(string key) => tensors[key].to(ScalarType.Float32).data<float>().ToArray();

    /// <summary>Every tensor that is not an input or output: the weights, under their checkpoint names.</summary>
    public Dictionary<string, Tensor> Weights() =>
        tensors.Keys.Where(k => !k.StartsWith("out.", StringComparison.Ordinal) && !k.StartsWith("in.", StringComparison.Ordinal))
            .ToDictionary(k => k, k => tensors[k]);

    /// <summary>Largest |a - b| / max(1, |b|).</summary>
    public static double MaxRelativeError(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        var a = actual.to(ScalarType.Float64);
        var b = expected.to(ScalarType.Float64);
        return ((a - b).abs() / b.abs().clamp_min(1.0)).max().item<double>();
    }
}
