namespace PianoJudges.Encoders.Layers;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// A Conv1d whose weight is weight-normalised (Salimans &amp; Kingma 2016; torch.nn.utils.weight_norm):
/// weight = weight_g * weight_v / ||weight_v||, the norm taken over every dimension except <c>dim</c>.
/// Parameters are named weight_g, weight_v and bias as in checkpoints saved with weight_norm;
/// <see cref="Weights.StateDictLoader"/> also accepts the parametrizations.weight.original0/1 spelling.
/// Input (batch, in_channels, time); output (batch, out_channels, time').
/// </summary>
public sealed class WeightNormConv1d : nn.Module<Tensor, Tensor>
{
    private readonly long _stride, _padding, _dilation, _groups, _dim;

    /// <param name="dim">The dimension weight_g keeps (0: one gain per output channel, the default of weight_norm; HuBERT's positional convolution uses 2).</param>
    public WeightNormConv1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true, long dim = 0)
        : base(nameof(WeightNormConv1d))
    {
        if (dim is < 0 or > 2) throw new ArgumentException($"dim {dim}; allowed: 0, 1, 2 (the axes of a Conv1d weight)");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"in_channels {inChannels} and out_channels {outChannels} must be divisible by groups {groups}");
        (_stride, _padding, _dilation, _groups, _dim) = (stride, padding, dilation, groups, dim);
        using var init = nn.Conv1d(inChannels, outChannels, kernelSize, stride, padding, dilation, groups: groups, bias: bias);
        var v = init.weight!.detach().clone();
        var gShape = new long[] { 1, 1, 1 };
        gShape[dim] = v.shape[dim];
        var g = NormExceptDim(v).reshape(gShape).detach();
        weight_v = new Parameter(v); // a Parameter takes over the tensor's handle
        weight_g = new Parameter(g);
        if (bias) this.bias = new Parameter(init.bias!.detach().clone());
        RegisterComponents();
    }

    // Fields named as the parameters, registered by RegisterComponents: Module.to(dtype / device) then converts the
    // registered parameter and the field together. (Properties plus register_parameter left the registry holding the old
    // tensors after a dtype change: parameters(), state_dict() and an optimiser saw float32 copies the forward never used.)
    private Parameter weight_g;
    private Parameter weight_v;
    private Parameter? bias;

    /// <summary>The effective convolution weight g * v / ||v||.</summary>
    public Tensor Weight() => weight_v * (weight_g / NormExceptDim(weight_v));

    public override Tensor forward(Tensor input) =>
        nn.functional.conv1d(input, Weight(), bias, _stride, _padding, _dilation, _groups);

    private Tensor NormExceptDim(Tensor v)
    {
        long[] others = Enumerable.Range(0, 3).Where(d => d != _dim).Select(d => (long)d).ToArray();
        return v.square().sum(others, keepdim: true).sqrt();
    }
}
