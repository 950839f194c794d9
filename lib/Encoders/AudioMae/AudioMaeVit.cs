namespace PianoJudges.Encoders.AudioMae;

using PianoJudges.Encoders.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Field names are the checkpoint keys (timm VisionTransformer / Block / Attention / Mlp), so a state_dict loads by name.
#pragma warning disable IDE1006

/// <summary>Non-overlapping 16x16 patches of the (1, time, mel) fbank image, projected to EmbedDim: (B, 1, 1024, 128) -> (B, 512, 768).</summary>
public sealed class AudioMaePatchEmbed : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d proj;

    public AudioMaePatchEmbed(AudioMaeConfig config) : base(nameof(AudioMaePatchEmbed))
    {
        proj = nn.Conv2d(1, config.EmbedDim, config.PatchSize, stride: config.PatchSize);
        RegisterComponents();
    }

    /// <summary>(B, 1, T, F) -> (B, T/16 * F/16, D), time-major token order (token = t * F/16 + f).</summary>
    public override Tensor forward(Tensor x) => proj.call(x).flatten(2).transpose(1, 2);
}

/// <summary>timm Attention: fused qkv projection, scaled dot-product attention over all tokens, output projection.</summary>
public sealed class AudioMaeAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly int numHeads;

    public AudioMaeAttention(AudioMaeConfig config) : base(nameof(AudioMaeAttention))
    {
        numHeads = config.NumHeads;
        qkv = nn.Linear(config.EmbedDim, 3 * config.EmbedDim, hasBias: true);
        proj = nn.Linear(config.EmbedDim, config.EmbedDim);
        RegisterComponents();
    }

    /// <summary>(B, N, D) -> (B, N, D).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], n = x.shape[1], d = x.shape[2];
        var heads = qkv.call(x).reshape(b, n, 3, numHeads, d / numHeads).permute(2, 0, 3, 1, 4);
        var attended = nn.functional.scaled_dot_product_attention(heads[0], heads[1], heads[2]);
        return proj.call(attended.transpose(1, 2).reshape(b, n, d)).MoveToOuterDisposeScope();
    }
}

/// <summary>timm Mlp: fc1, exact (erf) GELU, fc2.</summary>
public sealed class AudioMaeMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly GELU act;
    private readonly Linear fc2;

    public AudioMaeMlp(AudioMaeConfig config) : base(nameof(AudioMaeMlp))
    {
        fc1 = nn.Linear(config.EmbedDim, config.EmbedDim * config.MlpRatio);
        act = nn.GELU();
        fc2 = nn.Linear(config.EmbedDim * config.MlpRatio, config.EmbedDim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return fc2.call(act.call(fc1.call(x))).MoveToOuterDisposeScope();
    }
}

/// <summary>timm pre-norm transformer Block: x + attn(norm1(x)), then x + mlp(norm2(x)).</summary>
public sealed class AudioMaeBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly AudioMaeAttention attn;
    private readonly LayerNorm norm2;
    private readonly AudioMaeMlp mlp;

    public AudioMaeBlock(AudioMaeConfig config) : base(nameof(AudioMaeBlock))
    {
        norm1 = nn.LayerNorm([config.EmbedDim], config.LayerNormEps);
        attn = new AudioMaeAttention(config);
        norm2 = nn.LayerNorm([config.EmbedDim], config.LayerNormEps);
        mlp = new AudioMaeMlp(config);
        RegisterComponents();
    }

    /// <summary>(B, N, D) -> (B, N, D).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x + attn.call(norm1.call(x));
        return (h + mlp.call(norm2.call(h))).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The Audio-MAE ViT encoder (no masking, inference only): patch embedding + position embedding, a cls token,
/// Depth blocks, then the patch tokens (cls dropped), optionally through the checkpoint's final norm.
/// Parameter names equal the original checkpoint keys: cls_token, pos_embed, patch_embed.proj.*, blocks.N.*, norm.* or fc_norm.*.
/// </summary>
public sealed class AudioMaeVit : nn.Module<Tensor, Tensor>
{
    private readonly Parameter cls_token;
    private readonly Parameter pos_embed;
    private readonly AudioMaePatchEmbed patch_embed;
    private readonly ModuleList<AudioMaeBlock> blocks;
    private readonly LayerNorm? norm;
    private readonly LayerNorm? fc_norm;
    private readonly AudioMaeConfig config;

    public AudioMaeVit(AudioMaeConfig config) : base(nameof(AudioMaeVit))
    {
        config.Validate();
        this.config = config;
        cls_token = nn.Parameter(zeros(1, 1, config.EmbedDim), requires_grad: false);
        // The released models fix these to 2-D sin-cos; a checkpoint's own copy overwrites them on load.
        pos_embed = nn.Parameter(SinCosPositionEmbedding(config).unsqueeze(0), requires_grad: false);
        patch_embed = new AudioMaePatchEmbed(config);
        blocks = new ModuleList<AudioMaeBlock>(Enumerable.Range(0, config.Depth).Select(_ => new AudioMaeBlock(config)).ToArray());
        if (config.Checkpoint == AudioMaeCheckpoint.Pretrained)
            norm = nn.LayerNorm([config.EmbedDim], config.LayerNormEps);
        else
            fc_norm = nn.LayerNorm([config.EmbedDim], config.LayerNormEps);
        RegisterComponents();
    }

    public AudioMaeConfig Config => config;

    /// <summary>(B, 1, TargetLength, NumMelBins) normalised fbank -> (B, NumPatches, EmbedDim) patch tokens.</summary>
    public override Tensor forward(Tensor fbank)
    {
        using var scope = NewDisposeScope();
        return ForwardHidden(fbank).Last().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Every stage, for layer-by-layer checks: [0] patch tokens + position (B, 1+P, D) with the cls token first,
    /// [1..Depth] each block's output (B, 1+P, D), [Depth+1] the patch tokens as <see cref="forward"/> returns them (B, P, D).
    /// </summary>
    public List<Tensor> ForwardHidden(Tensor fbank)
    {
        if (fbank.dim() != 4 || fbank.shape[1] != 1 || fbank.shape[2] != config.TargetLength || fbank.shape[3] != config.NumMelBins)
            throw new ArgumentException($"expected fbank (B, 1, {config.TargetLength}, {config.NumMelBins}), got ({string.Join(", ", fbank.shape)})");
        var hidden = new List<Tensor>();
        var x = patch_embed.call(fbank) + pos_embed.narrow(1, 1, config.NumPatches);
        var cls = (cls_token + pos_embed.narrow(1, 0, 1)).expand(fbank.shape[0], -1, -1);
        x = cat([cls, x], 1);
        hidden.Add(x);
        foreach (var block in blocks)
        {
            x = block.call(x);
            hidden.Add(x);
        }
        var tokens = x.narrow(1, 1, config.NumPatches);
        tokens = config.TokenOutput switch
        {
            AudioMaeTokenOutput.Blocks => tokens,
            AudioMaeTokenOutput.Norm => norm!.call(tokens),
            AudioMaeTokenOutput.FcNorm => fc_norm!.call(tokens),
            _ => throw new ArgumentOutOfRangeException(nameof(config.TokenOutput)),
        };
        hidden.Add(tokens);
        return hidden;
    }

    /// <summary>
    /// Fixed 2-D sin-cos position embedding as Audio-MAE builds it (get_2d_sincos_pos_embed_flexible over the
    /// (time, freq) patch grid, cls row zero): the first D/2 channels encode the frequency index, the last D/2 the
    /// time index, each as [sin(p w_k), cos(p w_k)] with w_k = 10000^(-k / (D/4)). Returns (1 + P, D).
    /// </summary>
    public static Tensor SinCosPositionEmbedding(AudioMaeConfig config)
    {
        int d = config.EmbedDim, quarter = d / 4, gt = config.GridTime, gf = config.GridFreq;
        var table = new float[(1 + gt * gf) * d];
        for (int t = 0; t < gt; t++)
        for (int f = 0; f < gf; f++)
        {
            int row = (1 + t * gf + f) * d;
            for (int k = 0; k < quarter; k++)
            {
                double omega = 1.0 / Math.Pow(10000.0, k / (double)quarter);
                table[row + k] = (float)Math.Sin(f * omega);
                table[row + quarter + k] = (float)Math.Cos(f * omega);
                table[row + 2 * quarter + k] = (float)Math.Sin(t * omega);
                table[row + 3 * quarter + k] = (float)Math.Cos(t * omega);
            }
        }
        return tensor(table, [1 + gt * gf, d]);
    }

    /// <summary>
    /// Loads an Audio-MAE state_dict (the checkpoint's "model" entry). Keys that belong to the other parts of the
    /// released models (decoder_*, mask_token, head.*, and norm / fc_norm of the other layout) are skipped; any other
    /// unknown key, a missing key or a shape mismatch is a <see cref="StateDictMismatchException"/> naming every one.
    /// </summary>
    public LoadReport LoadCheckpoint(IReadOnlyDictionary<string, Tensor> stateDict, string source)
    {
        string otherNorm = config.Checkpoint == AudioMaeCheckpoint.Pretrained ? "fc_norm." : "norm.";
        bool Foreign(string key) => key.StartsWith("decoder_", StringComparison.Ordinal) || key == "mask_token" ||
                                    key.StartsWith("head.", StringComparison.Ordinal) || key.StartsWith(otherNorm, StringComparison.Ordinal);
        var encoder = stateDict.Where(kv => !Foreign(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return StateDictLoader.LoadInto(this, encoder, strict: true, source: source);
    }
}
