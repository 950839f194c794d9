namespace PianoJudges.Encoders.Dac;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Field names are DAC's checkpoint keys (weight_g, weight_v, bias, alpha).
#pragma warning disable IDE1006

/// <summary>
/// Weight-normalised Conv1d (torch.nn.utils.weight_norm, dim 0): weight = weight_g * weight_v / ||weight_v||,
/// the norm taken per output channel. (B, in, T) -> (B, out, T').
/// </summary>
public sealed class WNConv1d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight_g;
    private readonly Parameter weight_v;
    private readonly Parameter bias;
    private readonly long stride, padding, dilation;

    public WNConv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1)
        : base(nameof(WNConv1d))
    {
        (this.stride, this.padding, this.dilation) = (stride, padding, dilation);
        var v = empty(outChannels, inChannels, kernelSize);
        nn.init.kaiming_uniform_(v, a: Math.Sqrt(5));
        double bound = 1.0 / Math.Sqrt(inChannels * kernelSize);
        // At initialisation g = ||v||, so the effective weight starts as v (torch's weight_norm does the same).
        weight_g = nn.Parameter(Norm(v), requires_grad: false);
        weight_v = nn.Parameter(v, requires_grad: false);
        bias = nn.Parameter(empty(outChannels).uniform_(-bound, bound), requires_grad: false);
        RegisterComponents();
    }

    /// <summary>The effective convolution weight (out, in, k).</summary>
    public Tensor Weight() => weight_v * (weight_g / Norm(weight_v));

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return nn.functional.conv1d(x, Weight(), bias, stride, padding, dilation).MoveToOuterDisposeScope();
    }

    private static Tensor Norm(Tensor v) => v.pow(2).sum([1, 2], keepdim: true).sqrt();
}

/// <summary>Snake activation with a learned per-channel frequency: x + sin^2(alpha x) / (alpha + 1e-9). (B, C, T) -> (B, C, T).</summary>
public sealed class Snake1d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter alpha;

    public Snake1d(int channels) : base(nameof(Snake1d))
    {
        alpha = nn.Parameter(ones(1, channels, 1), requires_grad: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (x + (alpha + 1e-9).reciprocal() * sin(alpha * x).pow(2)).MoveToOuterDisposeScope();
    }
}
