namespace PianoJudges.Encoders.Jukebox;

using PianoJudges.Encoders.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Field names are the checkpoint keys under encoders.N. (Encoder / EncoderConvBlock / Resnet1D / ResConv1DBlock: model, level_blocks).
#pragma warning disable IDE1006

/// <summary>Jukebox ResConv1DBlock: x + conv1x1(relu(conv3_dilated(relu(x)))), 'same' padding. (B, C, T) -> (B, C, T).</summary>
public sealed class JukeboxResConv1DBlock : nn.Module<Tensor, Tensor>
{
    private readonly Sequential model;

    public JukeboxResConv1DBlock(int nIn, int nState, int dilation) : base(nameof(JukeboxResConv1DBlock))
    {
        model = nn.Sequential(
            nn.ReLU(),
            nn.Conv1d(nIn, nState, 3, stride: 1, padding: dilation, dilation: dilation),
            nn.ReLU(),
            nn.Conv1d(nState, nIn, 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (x + model.call(x)).MoveToOuterDisposeScope();
    }
}

/// <summary>Jukebox Resnet1D: depth residual blocks with dilations rate^0, rate^1, ... (no dilation cycle, res_scale 1).</summary>
public sealed class JukeboxResnet1D : nn.Module<Tensor, Tensor>
{
    private readonly Sequential model;

    public JukeboxResnet1D(int nIn, int depth, double mConv, int dilationGrowthRate) : base(nameof(JukeboxResnet1D))
    {
        model = nn.Sequential(Enumerable.Range(0, depth)
            .Select(d => (nn.Module<Tensor, Tensor>)new JukeboxResConv1DBlock(nIn, (int)(mConv * nIn), (int)Math.Pow(dilationGrowthRate, d)))
            .ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => model.call(x);
}

/// <summary>Jukebox EncoderConvBlock: down_t x [Conv1d(k 2s, stride s, padding s/2), Resnet1D], then Conv1d(width -> emb, k 3). (B, in, T) -> (B, emb, T / s^down_t).</summary>
public sealed class JukeboxEncoderConvBlock : nn.Module<Tensor, Tensor>
{
    private readonly Sequential model;

    public JukeboxEncoderConvBlock(int inWidth, int embWidth, int downT, int strideT, int width, int depth, double mConv, int dilationGrowthRate)
        : base(nameof(JukeboxEncoderConvBlock))
    {
        var blocks = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < downT; i++)
            blocks.Add(nn.Sequential(
                nn.Conv1d(i == 0 ? inWidth : width, width, 2 * strideT, stride: strideT, padding: strideT / 2),
                new JukeboxResnet1D(width, depth, mConv, dilationGrowthRate)));
        blocks.Add(nn.Conv1d(width, embWidth, 3, stride: 1, padding: 1));
        model = nn.Sequential(blocks.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => model.call(x);
}

/// <summary>
/// One level's encoder of the Jukebox VQ-VAE (vqvae.encoders[Level]): Level + 1 EncoderConvBlocks applied in turn,
/// the first from the mono waveform, the rest from the previous latent. (B, 1, T) -> (B, 64, frames); with the
/// top level, 10 s at 44.1 kHz gives 3445 frames. Parameter names equal the checkpoint keys after "encoders.N.".
/// </summary>
public sealed class JukeboxVqvaeEncoder : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<JukeboxEncoderConvBlock> level_blocks;
    private readonly JukeboxConfig config;
    private Tensor? codebook;

    public JukeboxVqvaeEncoder(JukeboxConfig config) : base(nameof(JukeboxVqvaeEncoder))
    {
        config.Validate();
        this.config = config;
        level_blocks = new ModuleList<JukeboxEncoderConvBlock>(Enumerable.Range(0, config.Level + 1)
            .Select(l => new JukeboxEncoderConvBlock(l == 0 ? 1 : config.EmbWidth, config.EmbWidth, config.Downs[l], config.Strides[l],
                config.LevelWidth, config.LevelDepth, config.MConv, config.DilationGrowthRate))
            .ToArray());
        RegisterComponents();
    }

    public JukeboxConfig Config => config;

    /// <summary>(B, 1, T) -> (B, EmbWidth, frames): the unquantised latent, or its nearest codebook entries when Config.Quantised.</summary>
    public override Tensor forward(Tensor audio)
    {
        using var scope = NewDisposeScope();
        var x = ForwardHidden(audio).Last();
        return (config.Quantised ? Quantise(x) : x).MoveToOuterDisposeScope();
    }

    /// <summary>Each EncoderConvBlock's output, unquantised (the last is the level's latent).</summary>
    public List<Tensor> ForwardHidden(Tensor audio)
    {
        if (audio.dim() != 3 || audio.shape[1] != 1)
            throw new ArgumentException($"expected audio (B, 1, T), got ({string.Join(", ", audio.shape)})");
        var hidden = new List<Tensor>();
        var x = audio;
        foreach (var block in level_blocks)
        {
            x = block.call(x);
            hidden.Add(x);
        }
        return hidden;
    }

    /// <summary>BottleneckBlock.quantise + dequantise: each frame replaced by the codebook row at least Euclidean distance. (B, W, T) -> (B, W, T).</summary>
    public Tensor Quantise(Tensor x)
    {
        var k = codebook ?? throw new InvalidOperationException("Quantised needs the codebook: load a checkpoint with bottleneck.level_blocks.N.k");
        using var scope = NewDisposeScope();
        long b = x.shape[0], w = x.shape[1], t = x.shape[2];
        var flat = x.permute(0, 2, 1).reshape(b * t, w);
        var distance = flat.pow(2).sum(-1, keepdim: true) - 2 * flat.matmul(k.t()) + k.pow(2).sum(-1).unsqueeze(0);
        var indices = distance.argmin(-1);
        return k.index_select(0, indices).reshape(b, t, w).permute(0, 2, 1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Loads this level's encoder from a full VQ-VAE state_dict (the "model" entry of vqvae.pth.tar): keys under
    /// "encoders.{Level}." (strict), plus "bottleneck.level_blocks.{Level}.k" when Quantised; the other levels,
    /// the decoders and the rest of the bottleneck are ignored.
    /// </summary>
    public LoadReport LoadCheckpoint(IReadOnlyDictionary<string, Tensor> stateDict, string source)
    {
        string prefix = $"encoders.{config.Level}.";
        var mine = stateDict.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        var report = StateDictLoader.LoadInto(this, mine, strict: true, source: source);
        if (config.Quantised)
        {
            string key = $"bottleneck.level_blocks.{config.Level}.k";
            if (!stateDict.TryGetValue(key, out var k))
                throw new InvalidDataException($"{source}: Quantised needs '{key}', which the checkpoint lacks");
            if (k.dim() != 2 || k.shape[1] != config.EmbWidth)
                throw new InvalidDataException($"{source}: '{key}' has shape ({string.Join(", ", k.shape)}), expected (l_bins, {config.EmbWidth})");
            codebook?.Dispose();
            codebook = k.to(ScalarType.Float32).clone().DetachFromDisposeScope();
        }
        return report;
    }
}
