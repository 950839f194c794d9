namespace PianoJudges.Probing;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>Which behaviour of the prediction head to follow; see ReleasedCodeDeviations.md.</summary>
public enum ProbeMode
{
    /// <summary>Masks padded segments and feeds logits to the loss.</summary>
    Corrected,
    /// <summary>As the authors' released code: no padding mask, the loss is applied to softmax/sigmoid outputs.</summary>
    Faithful,
}

/// <summary>
/// Configuration of the paper's prediction head (released conf/model/AudioCNNTransformer.yaml).
/// </summary>
/// <param name="Frames">T: frames per segment as fed to the head (for ranking, T_a + T_b).</param>
/// <param name="Dim">D: embedding dimension per frame.</param>
/// <param name="Classes">Output units: 2 or 4 (ranking), 9 or 3 (difficulty), 7 (techniques).</param>
/// <param name="Segments">Segments per recording (n_segs; 30 x 10 s = 5 minutes).</param>
public sealed record ProbeHeadConfig(
    int Frames,
    int Dim,
    int Classes,
    ProbeMode Mode = ProbeMode.Corrected,
    int Segments = 30,
    int NHead = 2,
    int NumEncoderLayers = 1,
    int DimFeedforward = 64,
    int DimTransformer = 128,
    int CnnChannels = 2,
    int KernelSize = 7,
    double Dropout = 0.1,
    int Padding = 1,
    int Stride = 5)
{
    /// <summary>Size of one axis after the two ConvBlocks: floor((n + 2p - k) / s) + 1, twice.</summary>
    public int ConvOutput(int n)
    {
        for (int i = 0; i < 2; i++)
        {
            int span = n + 2 * Padding - KernelSize;
            if (span < 0) return 0; // the kernel does not fit: no output (C# division would round toward zero)
            n = span / Stride + 1;
        }
        return n;
    }

    /// <summary>Input size of <c>fc</c>: the flattened (T', D') map that the second ConvBlock leaves per segment.</summary>
    public int FlatFeatures => ConvOutput(Frames) * ConvOutput(Dim);

    /// <summary>Throws when the numbers cannot make a head, quoting the value.</summary>
    public void Validate()
    {
        if (Frames <= 0 || Dim <= 0)
            throw new ArgumentException($"ProbeHeadConfig: Frames ({Frames}) and Dim ({Dim}) must be positive");
        if (Classes < 1)
            throw new ArgumentException($"ProbeHeadConfig: Classes ({Classes}) must be at least 1");
        if (Segments < 1)
            throw new ArgumentException($"ProbeHeadConfig: Segments ({Segments}) must be at least 1");
        if (DimTransformer % NHead != 0)
            throw new ArgumentException($"ProbeHeadConfig: DimTransformer ({DimTransformer}) must be divisible by NHead ({NHead})");
        if (ConvOutput(Frames) < 1 || ConvOutput(Dim) < 1)
            throw new ArgumentException(
                $"ProbeHeadConfig: input (T={Frames}, D={Dim}) is too small for two convolutions (k={KernelSize}, s={Stride}, p={Padding}); " +
                $"each axis needs at least {MinimumAxis()} values");
    }

    private int MinimumAxis()
    {
        int n = 1;
        while (ConvOutput(n) < 1) n++;
        return n;
    }
}

/// <summary>Conv2d, BatchNorm2d, ReLU, Dropout (released ConvBlock without its unused skip path).</summary>
public sealed class ConvBlock : nn.Module<Tensor, Tensor>
{
    // Field names are the released module's attribute names so that state-dict keys match.
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;
    private readonly ReLU relu;
    private readonly Dropout dropout;

    public ConvBlock(long inChannels, long outChannels, ProbeHeadConfig c) : base(nameof(ConvBlock))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernel_size: c.KernelSize, stride: c.Stride, padding: c.Padding);
        bn = nn.BatchNorm2d(outChannels);
        relu = nn.ReLU();
        dropout = nn.Dropout(c.Dropout);
        RegisterComponents();
    }

    /// <summary>(N, C_in, H, W) -> (N, C_out, H', W').</summary>
    public override Tensor forward(Tensor x)
    {
        using var a = conv.forward(x);
        using var b = bn.forward(a);
        using var r = relu.forward(b);
        return dropout.forward(r);
    }
}

/// <summary>
/// The paper's probing head: per-segment CNN, a linear projection, one self-attention layer across the
/// 30 segments, and a linear classifier over the concatenated segment outputs. Parameter names equal the
/// released PyTorch <c>AudioCNNTransformer</c> (conv_block1, conv_block2, fc, transformer_encoder.layers.0.*,
/// regression), so a state dict maps one to one.
/// </summary>
public sealed class AudioCNNTransformer : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly ConvBlock conv_block1;
    private readonly ConvBlock conv_block2;
    private readonly Linear fc;
    private readonly TransformerEncoder transformer_encoder;
    private readonly Linear regression;

    public AudioCNNTransformer(ProbeHeadConfig config) : base(nameof(AudioCNNTransformer))
    {
        config.Validate();
        Config = config;
        conv_block1 = new ConvBlock(1, config.CnnChannels, config);
        conv_block2 = new ConvBlock(config.CnnChannels, 1, config);
        fc = nn.Linear(config.FlatFeatures, config.DimTransformer);
        var layer = nn.TransformerEncoderLayer(config.DimTransformer, config.NHead, config.DimFeedforward, config.Dropout);
        transformer_encoder = nn.TransformerEncoder(layer, config.NumEncoderLayers);
        regression = nn.Linear((long)config.DimTransformer * config.Segments, config.Classes);
        RegisterComponents();
    }

    public ProbeHeadConfig Config { get; }

    /// <summary>
    /// x: (B, S, T, D) float; segmentMask: (B, S) bool, true where the segment holds audio (ignored in
    /// faithful mode, may be null). Returns logits (B, Classes).
    /// </summary>
    public override Tensor forward(Tensor x, Tensor? segmentMask)
    {
        if (x.dim() != 4 || x.shape[1] != Config.Segments || x.shape[2] != Config.Frames || x.shape[3] != Config.Dim)
            throw new ArgumentException(
                $"AudioCNNTransformer expects (B, {Config.Segments}, {Config.Frames}, {Config.Dim}), got ({string.Join(", ", x.shape)})");
        long b = x.shape[0], s = x.shape[1];
        using var scope = NewDisposeScope();
        var h = x.reshape(b * s, 1, Config.Frames, Config.Dim);
        h = conv_block2.forward(conv_block1.forward(h));
        h = fc.forward(h.reshape(b, s, -1)).transpose(0, 1); // sequence-first: (S, B, d)

        Tensor? keep = null;
        if (Config.Mode == ProbeMode.Corrected && segmentMask is not null)
        {
            keep = segmentMask.to_type(ScalarType.Bool);
            // A recording with no audio at all would leave attention nothing to attend to (NaN): treat it as unmasked.
            keep = keep.logical_or(keep.any(1, keepdim: true).logical_not());
            h = transformer_encoder.forward(h, null!, keep.logical_not());
        }
        else
        {
            h = transformer_encoder.forward(h, null!, null!);
        }

        h = h.transpose(0, 1); // (B, S, d)
        if (keep is not null)
            h = h * keep.unsqueeze(-1).to_type(h.dtype); // padded segments contribute nothing to the classifier
        var logits = regression.forward(h.reshape(b, -1));
        return logits.MoveToOuterDisposeScope();
    }
}
