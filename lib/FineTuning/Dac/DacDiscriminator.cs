namespace PianoJudges.FineTuning.Dac;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Field names follow dac/model/discriminator.py: discriminators.N.convs.M.0.weight_g, ...conv_post..., band_convs.B.M.0...
#pragma warning disable IDE1006

/// <summary>Weight-normalised Conv2d (weight_norm dim 0: one gain per output channel). (B, in, H, W) -> (B, out, H', W').</summary>
public sealed class WNConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight_g;
    private readonly Parameter weight_v;
    private readonly Parameter bias;
    private readonly long[] stride, padding;
    private readonly long groups;

    public WNConv2d(int inChannels, int outChannels, (int h, int w) kernel, (int h, int w) stride, (int h, int w) padding, int groups = 1)
        : base(nameof(WNConv2d))
    {
        this.stride = [stride.h, stride.w];
        this.padding = [padding.h, padding.w];
        this.groups = groups;
        var v = empty(outChannels, inChannels / groups, kernel.h, kernel.w);
        nn.init.kaiming_uniform_(v, a: Math.Sqrt(5));
        double bound = 1.0 / Math.Sqrt(inChannels / groups * kernel.h * kernel.w);
        weight_g = nn.Parameter(Norm(v));
        weight_v = nn.Parameter(v);
        bias = nn.Parameter(empty(outChannels).uniform_(-bound, bound));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var weight = weight_v * (weight_g / Norm(weight_v));
        return nn.functional.conv2d(x, weight, bias, strides: stride, padding: padding, groups: groups).MoveToOuterDisposeScope();
    }

    private static Tensor Norm(Tensor v) => v.square().sum([1, 2, 3], keepdim: true).sqrt();

    /// <summary>The release's WNConv2d(..., act=True): the convolution followed by LeakyReLU(0.1), as a Sequential (keys N.0.*).</summary>
    public static Sequential WithActivation(int inChannels, int outChannels, (int, int) kernel, (int, int) stride, (int, int) padding) =>
        nn.Sequential(new WNConv2d(inChannels, outChannels, kernel, stride, padding), nn.LeakyReLU(0.1));
}

/// <summary>One sub-discriminator: (B, 1, T) audio -> its feature maps, the last one being the logits.</summary>
public abstract class DacSubDiscriminator(string name) : nn.Module<Tensor, List<Tensor>>(name);

/// <summary>HiFi-GAN multi-period discriminator for one period p: the waveform folded into (T/p, p) columns, 2-D convs along time.</summary>
public sealed class DacMpd : DacSubDiscriminator
{
    private readonly ModuleList<Sequential> convs;
    private readonly WNConv2d conv_post;
    private readonly int period;

    /// <param name="period">p.</param>
    /// <param name="channels">The five conv widths (the release: 32, 128, 512, 1024, 1024).</param>
    public DacMpd(int period, IReadOnlyList<int> channels) : base(nameof(DacMpd))
    {
        this.period = period;
        var c = channels;
        convs = new ModuleList<Sequential>(
            WNConv2d.WithActivation(1, c[0], (5, 1), (3, 1), (2, 0)),
            WNConv2d.WithActivation(c[0], c[1], (5, 1), (3, 1), (2, 0)),
            WNConv2d.WithActivation(c[1], c[2], (5, 1), (3, 1), (2, 0)),
            WNConv2d.WithActivation(c[2], c[3], (5, 1), (3, 1), (2, 0)),
            WNConv2d.WithActivation(c[3], c[4], (5, 1), (1, 1), (2, 0)));
        conv_post = new WNConv2d(c[4], 1, (3, 1), (1, 1), (1, 0));
        RegisterComponents();
    }

    public override List<Tensor> forward(Tensor x)
    {
        long t = x.shape[^1];
        // The release pads by period - t % period, a whole extra period when t is already a multiple.
        x = nn.functional.pad(x, [0, period - t % period], PaddingModes.Reflect);
        x = x.reshape(x.shape[0], x.shape[1], -1, period);
        var fmap = new List<Tensor>();
        foreach (var layer in convs)
        {
            x = layer.call(x);
            fmap.Add(x);
        }
        fmap.Add(conv_post.call(x));
        return fmap;
    }
}

/// <summary>
/// DAC's complex multi-band STFT discriminator for one window length: real and imaginary STFT parts as two
/// channels over (time, frequency), the frequency axis split into bands, each band through its own conv stack.
/// </summary>
public sealed class DacMrd : DacSubDiscriminator
{
    private readonly ModuleList<ModuleList<Sequential>> band_convs;
    private readonly WNConv2d conv_post;
    private readonly int windowLength, hopLength;
    private readonly (int lo, int hi)[] bands;

    public DacMrd(int windowLength, double[][] bandFractions, int ch = 32) : base(nameof(DacMrd))
    {
        this.windowLength = windowLength;
        hopLength = windowLength / 4;
        int nBins = windowLength / 2 + 1;
        bands = bandFractions.Select(b => ((int)(b[0] * nBins), (int)(b[1] * nBins))).ToArray();
        band_convs = new ModuleList<ModuleList<Sequential>>(bands.Select(_ => new ModuleList<Sequential>(
            WNConv2d.WithActivation(2, ch, (3, 9), (1, 1), (1, 4)),
            WNConv2d.WithActivation(ch, ch, (3, 9), (1, 2), (1, 4)),
            WNConv2d.WithActivation(ch, ch, (3, 9), (1, 2), (1, 4)),
            WNConv2d.WithActivation(ch, ch, (3, 9), (1, 2), (1, 4)),
            WNConv2d.WithActivation(ch, ch, (3, 3), (1, 1), (1, 1)))).ToArray());
        conv_post = new WNConv2d(ch, 1, (3, 3), (1, 1), (1, 1));
        RegisterComponents();
    }

    /// <summary>(B, 1, T) -> (B, 2, frames, bins): audiotools' STFT with match_stride (reflect padding, first and last two frames dropped).</summary>
    public Tensor Spectrogram(Tensor x)
    {
        long length = x.shape[^1];
        long rightPad = (length + hopLength - 1) / hopLength * hopLength - length;
        long pad = (windowLength - hopLength) / 2;
        // The FFT runs in float32 (it has no bfloat16/float16 kernels on the CPU); the bands go on in the input's dtype.
        var padded = nn.functional.pad(x.to(ScalarType.Float32), [pad, pad + rightPad], PaddingModes.Reflect).reshape(-1, length + 2 * pad + rightPad);
        using var window = hann_window(windowLength, device: x.device);
        var spec = stft(padded, windowLength, hopLength, windowLength, window, center: true, return_complex: true);
        spec = spec.narrow(-1, 2, spec.shape[^1] - 4);
        return view_as_real(spec).permute(0, 3, 2, 1).to(x.dtype); // (B, F, T, 2) -> (B, 2, T, F)
    }

    public override List<Tensor> forward(Tensor x)
    {
        var spec = Spectrogram(x);
        var fmap = new List<Tensor>();
        var outputs = new List<Tensor>();
        for (int b = 0; b < bands.Length; b++)
        {
            var band = spec.narrow(-1, bands[b].lo, bands[b].hi - bands[b].lo);
            foreach (var layer in band_convs[b])
            {
                band = layer.call(band);
                fmap.Add(band);
            }
            outputs.Add(band);
        }
        fmap.Add(conv_post.call(cat(outputs, -1)));
        return fmap;
    }
}

/// <summary>
/// DAC's Discriminator: MPDs at the configured periods then MRDs at the configured window lengths (no MSD: base.yml
/// sets rates []). Input is DC-removed and peak-normalised to 0.8 first. (B, 1, T) -> per sub-discriminator, its feature maps.
/// </summary>
public sealed class DacDiscriminator : nn.Module<Tensor, List<List<Tensor>>>
{
    private readonly ModuleList<DacSubDiscriminator> discriminators;

    public DacDiscriminator(DacTrainingConfig config) : base(nameof(DacDiscriminator))
    {
        var subs = new List<DacSubDiscriminator>();
        subs.AddRange(config.MpdPeriods.Select(p => new DacMpd(p, config.MpdWidths)));
        subs.AddRange(config.MrdFftSizes.Select(w => new DacMrd(w, config.MrdBands, config.MrdChannels)));
        discriminators = new ModuleList<DacSubDiscriminator>(subs.ToArray());
        RegisterComponents();
    }

    public int Count => discriminators.Count;

    public override List<List<Tensor>> forward(Tensor y)
    {
        y = y - y.mean([-1], keepdim: true);
        y = 0.8 * y / (y.abs().amax([-1], keepdim: true) + 1e-9);
        return discriminators.Select(d => d.call(y)).ToList();
    }
}
