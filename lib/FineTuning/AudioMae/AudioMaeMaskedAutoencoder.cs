namespace PianoJudges.FineTuning.AudioMae;

using PianoJudges.Encoders.AudioMae;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Field names are models_mae.MaskedAutoencoderViT's state_dict keys, so the released pre-trained checkpoint loads by
// name and the encoder part (cls_token, pos_embed, patch_embed, blocks, norm) loads into AudioMaeVit unchanged.
#pragma warning disable IDE1006

/// <summary>One masked forward pass: the loss, the prediction (B, L, p^2) and the mask (B, L; 1 = masked).</summary>
public sealed record AudioMaeOutput(Tensor Loss, Tensor Prediction, Tensor Mask);

/// <summary>
/// Audio-MAE's masked autoencoder: the ViT encoder sees only the kept patches (plus cls); the decoder embeds them to
/// DecoderEmbedDim, fills the masked positions with mask_token, adds the fixed sin-cos decoder_pos_embed and
/// predicts every patch's pixels; the loss is the MSE on (normalised) pixels of the masked patches only.
/// </summary>
public sealed class AudioMaeMaskedAutoencoder : nn.Module<Tensor, AudioMaeOutput>
{
    private readonly AudioMaePatchEmbed patch_embed;
    private readonly Parameter cls_token;
    private readonly Parameter pos_embed;
    private readonly ModuleList<AudioMaeBlock> blocks;
    private readonly LayerNorm norm;
    private readonly Linear decoder_embed;
    private readonly Parameter mask_token;
    private readonly Parameter decoder_pos_embed;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> decoder_blocks;
    private readonly LayerNorm decoder_norm;
    private readonly Linear decoder_pred;

    public AudioMaeMaskedAutoencoder(AudioMaePretrainConfig config) : base(nameof(AudioMaeMaskedAutoencoder))
    {
        config.Validate();
        Config = config;
        var e = config.EncoderConfig;
        var d = config.DecoderBlockConfig;
        patch_embed = new AudioMaePatchEmbed(e);
        cls_token = nn.Parameter(zeros(1, 1, e.EmbedDim));
        pos_embed = nn.Parameter(AudioMaeVit.SinCosPositionEmbedding(e).unsqueeze(0), requires_grad: false);
        blocks = new ModuleList<AudioMaeBlock>(Enumerable.Range(0, e.Depth).Select(_ => new AudioMaeBlock(e)).ToArray());
        norm = nn.LayerNorm([e.EmbedDim], e.LayerNormEps);
        decoder_embed = nn.Linear(e.EmbedDim, config.DecoderEmbedDim);
        mask_token = nn.Parameter(zeros(1, 1, config.DecoderEmbedDim));
        decoder_pos_embed = nn.Parameter(AudioMaeVit.SinCosPositionEmbedding(d).unsqueeze(0), requires_grad: false);
        var grid = (e.GridTime, e.GridFreq);
        var window = (config.WindowTime, config.WindowFreq);
        decoder_blocks = new ModuleList<nn.Module<Tensor, Tensor>>(Enumerable.Range(0, config.DecoderBlocks).Select(i =>
            config.DecoderMode == AudioMaeDecoderMode.Global
                ? (nn.Module<Tensor, Tensor>)new AudioMaeBlock(d)
                : new AudioMaeSwinBlock(config.DecoderEmbedDim, AudioMaePretrainConfig.SwinDecoderHeads, grid, window,
                    config.NoShift || i % 2 == 0 ? (0, 0) : (config.ShiftTime, config.ShiftFreq),
                    e.MlpRatio, e.LayerNormEps, config.MetaHiddenDim, config.MetaDropout)).ToArray());
        decoder_norm = nn.LayerNorm([config.DecoderEmbedDim], e.LayerNormEps);
        decoder_pred = nn.Linear(config.DecoderEmbedDim, e.PatchSize * e.PatchSize);
        RegisterComponents();
        InitialiseWeights();
    }

    public AudioMaePretrainConfig Config { get; }

    /// <summary>models_mae.initialize_weights: xavier-uniform Linear (bias 0), LayerNorm (1, 0), patch projection as a Linear, tokens N(0, 0.02).</summary>
    private void InitialiseWeights()
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Linear l:
                    nn.init.xavier_uniform_(l.weight!);
                    if (l.bias is not null) nn.init.zeros_(l.bias);
                    break;
                case LayerNorm n:
                    nn.init.ones_(n.weight!);
                    nn.init.zeros_(n.bias!);
                    break;
            }
        }
        var proj = patch_embed.named_parameters().First(p => p.name == "proj.weight").parameter;
        var flat = proj.view(proj.shape[0], -1);
        nn.init.xavier_uniform_(flat);
        nn.init.normal_(cls_token, std: 0.02);
        nn.init.normal_(mask_token, std: 0.02);
    }

    /// <summary>(B, 1, T, F) fbank -> (B, L, p^2) patches, time-major (patchify).</summary>
    public Tensor Patchify(Tensor images)
    {
        var e = Config.EncoderConfig;
        int p = e.PatchSize;
        long b = images.shape[0], h = images.shape[2] / p, w = images.shape[3] / p;
        return images.reshape(b, 1, h, p, w, p).permute(0, 2, 4, 3, 5, 1).reshape(b, h * w, p * p);
    }

    /// <summary>
    /// Draws the mask with torch's generator (torch.rand, as the release): kept tokens (B, keep, D), mask (B, L)
    /// with 1 = masked, and ids_restore (B, L) that puts [kept, masked] back in patch order.
    /// </summary>
    public (Tensor kept, Tensor mask, Tensor idsRestore) RandomMasking(Tensor x)
    {
        long n = x.shape[0], l = x.shape[1], dim = x.shape[2];
        var e = Config.EncoderConfig;
        Tensor idsShuffle, mask;
        long keep;
        if (Config.Masking == AudioMaeMasking.Unstructured)
        {
            keep = (long)(l * (1 - Config.MaskRatio));
            var noise = rand(n, l, device: x.device);
            idsShuffle = argsort(noise, 1);
            var restore = argsort(idsShuffle, 1);
            mask = ones(n, l, device: x.device);
            mask[TensorIndex.Colon, TensorIndex.Slice(0, keep)] = zeros(1, device: x.device);
            mask = mask.gather(1, restore);
        }
        else
        {
            int t = e.GridTime, f = e.GridFreq;
            long keepT = (long)(t * (1 - Config.MaskTimeProb)), keepF = (long)(f * (1 - Config.MaskFreqProb));
            keep = keepT * keepF;
            var maskT = AxisMask(n, t, keepT, x.device).unsqueeze(2).expand(n, t, f);
            var maskF = AxisMask(n, f, keepF, x.device).unsqueeze(1).expand(n, t, f);
            mask = (1 - (1 - maskT) * (1 - maskF)).reshape(n, l);
            // Kept patches first, then masked ones, each in patch order (the release's argsort of index + 999 x mask).
            var order = arange(l, device: x.device).to(ScalarType.Float32).unsqueeze(0) + mask * l;
            idsShuffle = argsort(order, 1);
        }
        var idsRestore = argsort(idsShuffle, 1);
        var idsKeep = idsShuffle.narrow(1, 0, keep);
        var kept = x.gather(1, idsKeep.unsqueeze(-1).expand(n, keep, dim));
        return (kept, mask, idsRestore);
    }

    private static Tensor AxisMask(long n, int size, long keep, Device device)
    {
        var ids = argsort(rand(n, size, device: device), 1);
        var restore = argsort(ids, 1);
        var m = ones(n, size, device: device);
        m[TensorIndex.Colon, TensorIndex.Slice(0, keep)] = zeros(1, device: device);
        return m.gather(1, restore);
    }

    /// <summary>forward_encoder: (B, 1, T, F) -> latent (B, 1 + keep, D) after `norm`, mask (B, L), ids_restore (B, L).</summary>
    public (Tensor latent, Tensor mask, Tensor idsRestore) ForwardEncoder(Tensor images)
    {
        var e = Config.EncoderConfig;
        var x = patch_embed.call(images) + pos_embed.narrow(1, 1, e.NumPatches);
        var (kept, mask, idsRestore) = RandomMasking(x);
        var cls = (cls_token + pos_embed.narrow(1, 0, 1)).expand(kept.shape[0], -1, -1);
        x = cat([cls, kept], 1);
        foreach (var block in blocks) x = block.call(x);
        return (norm.call(x), mask, idsRestore);
    }

    /// <summary>forward_decoder: latent (B, 1 + keep, D) -> prediction (B, L, p^2).</summary>
    public Tensor ForwardDecoder(Tensor latent, Tensor idsRestore)
    {
        var x = decoder_embed.call(latent);
        long b = x.shape[0], l = idsRestore.shape[1], dim = x.shape[2];
        var masks = mask_token.expand(b, l + 1 - x.shape[1], dim);
        var tokens = cat([x.narrow(1, 1, x.shape[1] - 1), masks], 1).gather(1, idsRestore.unsqueeze(-1).expand(b, l, dim));
        x = cat([x.narrow(1, 0, 1), tokens], 1) + decoder_pos_embed;
        bool swin = Config.DecoderMode == AudioMaeDecoderMode.SwinLocal;
        if (swin) x = x.narrow(1, 1, l);
        foreach (var block in decoder_blocks) x = block.call(x);
        var pred = decoder_pred.call(decoder_norm.call(x));
        return swin ? pred : pred.narrow(1, 1, l);
    }

    /// <summary>
    /// forward_loss: mean over masked patches of the per-patch MSE, targets normalised per patch when NormPixLoss.
    /// Computed in float32 whatever the model's dtype (as autocast runs mse_loss, var and mean in float32).
    /// </summary>
    public Tensor Loss(Tensor images, Tensor prediction, Tensor mask)
    {
        var target = Patchify(images.to(ScalarType.Float32));
        prediction = prediction.to(ScalarType.Float32);
        mask = mask.to(ScalarType.Float32);
        if (Config.NormPixLoss)
        {
            var mean = target.mean([-1], keepdim: true);
            var variance = target.var(-1, unbiased: true, keepdim: true);
            target = (target - mean) / (variance + 1e-6).sqrt();
        }
        var perPatch = (prediction - target).square().mean([-1]);
        return (perPatch * mask).sum() / mask.sum();
    }

    /// <summary>(B, 1, T, F) normalised fbank -> loss, prediction and mask (MaskedAutoencoderViT.forward).</summary>
    public override AudioMaeOutput forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        // A low-precision copy of the model (manual mixed precision) computes in its own dtype; the loss target stays float32.
        var (latent, mask, idsRestore) = ForwardEncoder(images.to(cls_token.dtype));
        var pred = ForwardDecoder(latent, idsRestore);
        var loss = Loss(images, pred, mask);
        return new AudioMaeOutput(loss.MoveToOuterDisposeScope(), pred.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    /// <summary>Encoder keys only (cls_token, pos_embed, patch_embed.*, blocks.*, norm.*): what AudioMaeVit (Pretrained layout) loads.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> EncoderState() =>
        state_dict().Where(kv => !kv.Key.StartsWith("decoder_", StringComparison.Ordinal) && kv.Key != "mask_token");
}
