namespace PianoJudges.Tests.Native;

using PianoJudges.Native;
using TorchSharp;
using static TorchSharp.torch;

public class TorchRuntimeTests
{
    [Fact]
    public void TorchInitialisesFromTheBuildOutputAndComputesGradients()
    {
        Assert.StartsWith("2.10", TorchRuntime.EnsureInitialised());
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        var y = (x * x).sum();
        y.backward();
        Assert.Equal(new float[] { 2, 4, 6 }, x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void TransformerAndConvLayersRun()
    {
        TorchRuntime.EnsureInitialised();
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var layer = nn.TransformerEncoderLayer(16, 2, 8, 0.0);
        var conv = nn.Conv2d(1, 2, 7, 5, 1);
        var seq = layer.call(randn(5, 3, 16));
        var img = conv.call(randn(3, 1, 40, 16));
        Assert.Equal(new long[] { 5, 3, 16 }, seq.shape);
        Assert.Equal(new long[] { 3, 2, 8, 3 }, img.shape);
    }
}
