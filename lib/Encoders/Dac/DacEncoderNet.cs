namespace PianoJudges.Encoders.Dac;

using PianoJudges.Encoders.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

#pragma warning disable IDE1006

/// <summary>
/// DAC ResidualUnit: Snake, WNConv1d(k 7, dilation d, 'same' padding 3d), Snake, WNConv1d(k 1), plus the input
/// (centre-cropped if the branch came out shorter; with this padding it never does). (B, C, T) -> (B, C, T).
/// </summary>
public sealed class DacResidualUnit : nn.Module<Tensor, Tensor>
{
    private readonly Sequential block;

    public DacResidualUnit(int dim, int dilation) : base(nameof(DacResidualUnit))
    {
        int pad = (7 - 1) * dilation / 2;
        block = nn.Sequential(
            new Snake1d(dim),
            new WeightNormConv1d(dim, dim, 7, dilation: dilation, padding: pad),
            new Snake1d(dim),
            new WeightNormConv1d(dim, dim, 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = block.call(x);
        long crop = (x.shape[^1] - y.shape[^1]) / 2;
        if (crop > 0) x = x.narrow(-1, crop, x.shape[^1] - 2 * crop);
        return (x + y).MoveToOuterDisposeScope();
    }
}

/// <summary>DAC EncoderBlock: residual units at dilations 1, 3, 9 over dim/2 channels, Snake, then a strided WNConv1d (k 2s, padding ceil(s/2)) to dim channels. (B, dim/2, T) -> (B, dim, T/s).</summary>
public sealed class DacEncoderBlock : nn.Module<Tensor, Tensor>
{
    private readonly Sequential block;

    public DacEncoderBlock(int dim, int stride) : base(nameof(DacEncoderBlock))
    {
        block = nn.Sequential(
            new DacResidualUnit(dim / 2, 1),
            new DacResidualUnit(dim / 2, 3),
            new DacResidualUnit(dim / 2, 9),
            new Snake1d(dim / 2),
            new WeightNormConv1d(dim / 2, dim, 2 * stride, stride: stride, padding: (stride + 1) / 2));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => block.call(x);
}

/// <summary>DAC Encoder: WNConv1d(1, 64, k 7), EncoderBlocks doubling channels at each stride, Snake, WNConv1d(k 3) to the latent. (B, 1, T) -> (B, latent, T/hop).</summary>
public sealed class DacEncoderNet : nn.Module<Tensor, Tensor>
{
    private readonly Sequential block;

    public DacEncoderNet(DacConfig config) : base(nameof(DacEncoderNet))
    {
        var layers = new List<nn.Module<Tensor, Tensor>> { new WeightNormConv1d(1, config.EncoderDim, 7, padding: 3) };
        int d = config.EncoderDim;
        foreach (int stride in config.Rates)
        {
            d *= 2;
            layers.Add(new DacEncoderBlock(d, stride));
        }
        layers.Add(new Snake1d(d));
        layers.Add(new WeightNormConv1d(d, config.Latent, 3, padding: 1));
        block = nn.Sequential(layers.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => block.call(x);

    /// <summary>Each top-level stage's output, for layer-by-layer checks (first conv, each EncoderBlock, Snake, last conv).</summary>
    public List<Tensor> ForwardHidden(Tensor x)
    {
        var hidden = new List<Tensor>();
        foreach (var layer in block.children().Cast<nn.Module<Tensor, Tensor>>())
        {
            x = layer.call(x);
            hidden.Add(x);
        }
        return hidden;
    }
}
