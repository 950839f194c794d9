namespace PianoJudges.Encoders.Dac;

using PianoJudges.Encoders.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Field names are DAC's checkpoint keys (decoder.model.N.block.M.weight_g ...), so a DAC .pth loads by name.
#pragma warning disable IDE1006

/// <summary>
/// Weight-normalised ConvTranspose1d (torch.nn.utils.weight_norm, dim 0 = the input channels of a transposed
/// convolution's (in, out, k) weight). (B, in, T) -> (B, out, (T - 1) stride - 2 padding + k).
/// </summary>
public sealed class WNConvTranspose1d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight_g;
    private readonly Parameter weight_v;
    private readonly Parameter bias;
    private readonly long stride, padding;

    public WNConvTranspose1d(int inChannels, int outChannels, int kernelSize, int stride, int padding) : base(nameof(WNConvTranspose1d))
    {
        (this.stride, this.padding) = (stride, padding);
        var v = empty(inChannels, outChannels, kernelSize);
        nn.init.kaiming_uniform_(v, a: Math.Sqrt(5));
        // torch's ConvTranspose1d computes fan-in from weight.size(1) * k = out * k.
        double bound = 1.0 / Math.Sqrt(outChannels * kernelSize);
        weight_g = nn.Parameter(Norm(v));
        weight_v = nn.Parameter(v);
        bias = nn.Parameter(empty(outChannels).uniform_(-bound, bound));
        RegisterComponents();
    }

    /// <summary>The effective weight (in, out, k).</summary>
    public Tensor Weight() => weight_v * (weight_g / Norm(weight_v));

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return nn.functional.conv_transpose1d(x, Weight(), bias, stride: stride, padding: padding).MoveToOuterDisposeScope();
    }

    private static Tensor Norm(Tensor v) => v.square().sum([1, 2], keepdim: true).sqrt();
}

/// <summary>DAC DecoderBlock: Snake, transposed WNConv1d (k 2s, stride s, padding ceil(s/2)), residual units at dilations 1, 3, 9. (B, in, T) -> (B, out, sT).</summary>
public sealed class DacDecoderBlock : nn.Module<Tensor, Tensor>
{
    private readonly Sequential block;

    public DacDecoderBlock(int inputDim, int outputDim, int stride) : base(nameof(DacDecoderBlock))
    {
        block = nn.Sequential(
            new Snake1d(inputDim),
            new WNConvTranspose1d(inputDim, outputDim, 2 * stride, stride, (stride + 1) / 2),
            new DacResidualUnit(outputDim, 1),
            new DacResidualUnit(outputDim, 3),
            new DacResidualUnit(outputDim, 9));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => block.call(x);
}

/// <summary>
/// DAC Decoder: WNConv1d(latent, DecoderDim, k 7), DecoderBlocks halving the channels at each rate, Snake,
/// WNConv1d(k 7) to one channel, tanh. (B, latent, T') -> (B, 1, T' * prod(rates)).
/// </summary>
public sealed class DacDecoder : nn.Module<Tensor, Tensor>
{
    private readonly Sequential model;

    /// <param name="inputChannel">Latent channels (1024 for the 44.1 kHz model).</param>
    /// <param name="channels">Width after the first convolution (decoder_dim, 1536).</param>
    /// <param name="rates">Upsampling strides (decoder_rates, 8 8 4 2).</param>
    public DacDecoder(int inputChannel, int channels, IReadOnlyList<int> rates) : base(nameof(DacDecoder))
    {
        if (rates.Count == 0 || channels >> rates.Count < 1)
            throw new ArgumentException($"decoder_dim {channels} cannot be halved {rates.Count} times (rates [{string.Join(", ", rates)}])");
        var layers = new List<nn.Module<Tensor, Tensor>> { new WeightNormConv1d(inputChannel, channels, 7, padding: 3) };
        int outputDim = channels;
        for (int i = 0; i < rates.Count; i++)
        {
            int inputDim = channels >> i;
            outputDim = channels >> (i + 1);
            layers.Add(new DacDecoderBlock(inputDim, outputDim, rates[i]));
        }
        layers.Add(new Snake1d(outputDim));
        layers.Add(new WeightNormConv1d(outputDim, 1, 7, padding: 3));
        layers.Add(nn.Tanh());
        model = nn.Sequential(layers.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor z) => model.call(z);
}
