namespace PianoJudges.Encoders.Dac;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Field names are DAC's checkpoint keys (alpha). The weight-normalised convolutions are Layers.WeightNormConv1d.
#pragma warning disable IDE1006

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
        if (is_grad_enabled() && (x.requires_grad || alpha.requires_grad))
            // square(), not pow(2): TorchSharp 0.107 lets the GC finalise pow's temporary Scalar during the native call (a crash every few hundred training steps).
            return (x + (alpha + 1e-9).reciprocal() * sin(alpha * x).square()).MoveToOuterDisposeScope();
        // Inference: the same operations in the same order, in place on one temporary (the activations are large).
        var y = alpha * x;
        y.sin_().pow_(2).mul_((alpha + 1e-9).reciprocal()).add_(x);
        return y.MoveToOuterDisposeScope();
    }
}
