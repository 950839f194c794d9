namespace PianoJudges.Tests.Encoders.Weights;

using PianoJudges.Encoders.Layers;
using PianoJudges.Encoders.Weights;
using PianoJudges.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

public class StateDictLoaderTests
{
    public StateDictLoaderTests() => TorchRuntime.EnsureInitialised();

    private sealed class Tiny : nn.Module
    {
        private readonly Linear proj;
        private readonly WeightNormConv1d conv;
        public Tiny() : base(nameof(Tiny))
        {
            proj = nn.Linear(3, 2);
            conv = new WeightNormConv1d(2, 4, 3, padding: 1, dim: 0);
            RegisterComponents();
        }
        public Tensor Run(Tensor x) => conv.call(proj.call(x).transpose(1, 2));
    }

    [Fact]
    public void NamesMapOneToOneAndValuesAreCopied()
    {
        using var scope = NewDisposeScope();
        using var m = new Tiny();
        var sd = new Dictionary<string, Tensor>
        {
            ["proj.weight"] = torch.ones(2, 3),
            ["proj.bias"] = torch.tensor(new[] { 1.0, 2.0 }, ScalarType.Float64), // dtype converted
            ["conv.weight_g"] = torch.full(4, 1, 1, 2.0f),
            ["conv.weight_v"] = torch.ones(4, 2, 3),
            ["conv.bias"] = torch.zeros(4),
        };
        var report = StateDictLoader.LoadInto(m, sd);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        var y = m.Run(torch.ones(1, 5, 3));
        // proj gives [4, 5] per frame; the normalised weight is 2 / sqrt(6) everywhere, so the centre frame is 2/sqrt(6) * (3 * 4 + 3 * 5).
        Assert.Equal(2 / Math.Sqrt(6) * 27, y[0, 0, 2].item<float>(), 4);
    }

    [Fact]
    public void ParametrizationKeysLoadIntoWeightNormParameters()
    {
        Assert.Equal("a.b.weight_g", StateDictLoader.Alternate("a.b.parametrizations.weight.original0"));
        Assert.Equal("a.b.weight_v", StateDictLoader.Alternate("a.b.parametrizations.weight.original1"));
        Assert.Equal("a.b.parametrizations.weight.original0", StateDictLoader.Alternate("a.b.weight_g"));
        Assert.Null(StateDictLoader.Alternate("a.b.weight"));
        using var scope = NewDisposeScope();
        using var m = new Tiny();
        var sd = new Dictionary<string, Tensor>
        {
            ["proj.weight"] = torch.ones(2, 3),
            ["proj.bias"] = torch.zeros(2),
            ["conv.parametrizations.weight.original0"] = torch.full(4, 1, 1, 5.0f),
            ["conv.parametrizations.weight.original1"] = torch.ones(4, 2, 3),
            ["conv.bias"] = torch.zeros(4),
        };
        StateDictLoader.LoadInto(m, sd);
        Assert.Equal(5f, m.state_dict()["conv.weight_g"][0, 0, 0].item<float>());
    }

    [Fact]
    public void EveryMissingUnexpectedAndMisshapenKeyIsNamedInOneError()
    {
        using var scope = NewDisposeScope();
        using var m = new Tiny();
        var before = m.state_dict()["proj.weight"].clone();
        var sd = new Dictionary<string, Tensor>
        {
            ["proj.weight"] = torch.ones(3, 3), // wrong shape
            ["conv.weight_g"] = torch.ones(4, 1, 1),
            ["conv.weight_v"] = torch.ones(4, 2, 3),
            ["conv.bias"] = torch.zeros(4),
            ["head.weight"] = torch.ones(1), // unexpected
        };                                   // proj.bias missing
        var e = Assert.Throws<StateDictMismatchException>(() => StateDictLoader.LoadInto(m, sd, source: "ckpt.bin"));
        Assert.Contains("ckpt.bin", e.Message);
        Assert.Contains("proj.weight: checkpoint [3, 3], module [2, 3]", e.Message);
        Assert.Contains("proj.bias", e.Message);
        Assert.Contains("head.weight", e.Message);
        Assert.Equal(["proj.bias"], e.Report.Missing);
        Assert.Equal(["head.weight"], e.Report.Unexpected);
        Assert.True(before.equal(m.state_dict()["proj.weight"]).all().item<bool>()); // nothing copied on failure

        // Not strict: missing/unexpected are reported, shape mismatches still fail.
        sd["proj.weight"] = torch.ones(2, 3);
        var report = StateDictLoader.LoadInto(m, sd, strict: false);
        Assert.Equal(["proj.bias"], report.Missing);
        Assert.Equal(["head.weight"], report.Unexpected);
        sd.Remove("head.weight");
        Assert.Empty(StateDictLoader.LoadInto(m, sd, optional: ["proj.bias"]).Missing);
    }
}
