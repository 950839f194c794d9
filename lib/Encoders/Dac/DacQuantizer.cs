namespace PianoJudges.Encoders.Dac;

using PianoJudges.Encoders.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

#pragma warning disable IDE1006

/// <summary>
/// One DAC quantiser with factorised, L2-normalised codes (ViT-VQGAN): project the latent to CodebookDim
/// (in_proj), pick the codebook entry of highest cosine similarity, project the raw entry back (out_proj).
/// The same module serves encoding and training: the commitment and codebook losses come with every call, and the
/// straight-through estimator ze + (code - ze).detach() lets the gradient reach the encoder while giving the
/// release's float rounding in the forward pass.
/// </summary>
public sealed class DacVectorQuantize : nn.Module<Tensor, (Tensor zq, Tensor commitment, Tensor codebookLoss, Tensor indices, Tensor ze)>
{
    private readonly WeightNormConv1d in_proj;
    private readonly WeightNormConv1d out_proj;
    private readonly Embedding codebook;

    public DacVectorQuantize(int inputDim, int codebookSize, int codebookDim) : base(nameof(DacVectorQuantize))
    {
        in_proj = new WeightNormConv1d(inputDim, codebookDim, 1);
        out_proj = new WeightNormConv1d(codebookDim, inputDim, 1);
        codebook = nn.Embedding(codebookSize, codebookDim);
        RegisterComponents();
    }

    /// <summary>z (B, D, T) -> z_q (B, D, T), commitment and codebook losses per item (B), indices (B, T), z_e (B, CodebookDim, T).</summary>
    public override (Tensor zq, Tensor commitment, Tensor codebookLoss, Tensor indices, Tensor ze) forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var ze = in_proj.call(z);
        long b = ze.shape[0], d = ze.shape[1], t = ze.shape[2];
        var encodings = nn.functional.normalize(ze.permute(0, 2, 1).reshape(b * t, d));
        var entries = nn.functional.normalize(codebook.weight!);
        // Euclidean distance between unit vectors, as the release computes it (ranks like cosine similarity).
        var dist = encodings.square().sum(1, keepdim: true) - 2 * encodings.matmul(entries.t()) + entries.square().sum(1, keepdim: true).t();
        var indices = dist.neg().argmax(1).reshape(b, t);
        var code = codebook.weight!.index_select(0, indices.flatten()).reshape(b, t, d).transpose(1, 2);
        var commitment = (ze - code.detach()).square().mean([1, 2]);
        var codebookLoss = (code - ze.detach()).square().mean([1, 2]);
        var zq = out_proj.call(ze + (code - ze).detach());
        return (zq.MoveToOuterDisposeScope(), commitment.MoveToOuterDisposeScope(), codebookLoss.MoveToOuterDisposeScope(),
                indices.MoveToOuterDisposeScope(), ze.MoveToOuterDisposeScope());
    }
}

/// <summary>
/// SoundStream residual vector quantiser: each quantiser codes what the previous ones left; z_q is the sum of their
/// outputs. With DAC's quantiser dropout in training mode: the first round(B * dropout) items of a batch use a random
/// number of quantisers 1..n (torch.randint, drawn on every training call as the release does), the rest use all n;
/// losses are summed over quantisers of the per-quantiser batch means of the masked item losses. In eval mode every
/// item uses all n quantisers and nothing random is drawn.
/// </summary>
public sealed class DacResidualVectorQuantize : nn.Module<Tensor, (Tensor z, Tensor codes, Tensor latents, Tensor commitment, Tensor codebookLoss)>
{
    private readonly ModuleList<DacVectorQuantize> quantizers;
    private readonly double dropout;

    /// <param name="quantizerDropout">quantizer_dropout: the fraction of a training batch with a random number of quantisers (0 for encoding only).</param>
    public DacResidualVectorQuantize(DacConfig config, double quantizerDropout = 0.0) : base(nameof(DacResidualVectorQuantize))
    {
        dropout = quantizerDropout;
        quantizers = new ModuleList<DacVectorQuantize>(Enumerable.Range(0, config.NCodebooks)
            .Select(_ => new DacVectorQuantize(config.Latent, config.CodebookSize, config.CodebookDim)).ToArray());
        RegisterComponents();
    }

    /// <summary>
    /// z (B, D, T) -> quantised z (B, D, T), codes (B, N, T), projected latents (B, N * CodebookDim, T),
    /// commitment loss and codebook loss (scalars).
    /// </summary>
    public override (Tensor z, Tensor codes, Tensor latents, Tensor commitment, Tensor codebookLoss) forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        long batch = z.shape[0];
        int n = quantizers.Count;
        var used = full(batch, (float)n + 1, device: z.device);
        if (training)
        {
            var drawn = randint(1, n + 1, [batch]).to(ScalarType.Float32).to(z.device);
            long nDropout = (long)(batch * dropout);
            if (nDropout > 0) used[TensorIndex.Slice(0, nDropout)] = drawn[TensorIndex.Slice(0, nDropout)];
        }
        Tensor zq = zeros_like(z), residual = z, commitment = zeros(1, device: z.device).squeeze(), codebookLoss = zeros(1, device: z.device).squeeze();
        var codes = new List<Tensor>();
        var latents = new List<Tensor>();
        for (int i = 0; i < n; i++)
        {
            var (zqi, commit, cb, indices, ze) = quantizers[i].call(residual);
            // An unmasked item is multiplied by exactly 1, so eval-mode z is bit-identical to the plain sum.
            var mask = (used > i).to(z.dtype);
            zq = zq + zqi * mask.reshape(-1, 1, 1);
            residual = residual - zqi;
            commitment = commitment + (commit * mask).mean();
            codebookLoss = codebookLoss + (cb * mask).mean();
            codes.Add(indices);
            latents.Add(ze);
        }
        return (zq.MoveToOuterDisposeScope(), stack(codes, 1).MoveToOuterDisposeScope(), cat(latents, 1).MoveToOuterDisposeScope(),
                commitment.MoveToOuterDisposeScope(), codebookLoss.MoveToOuterDisposeScope());
    }
}
