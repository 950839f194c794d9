namespace PianoJudges.Encoders.Dac;

using PianoJudges.Encoders.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

#pragma warning disable IDE1006

/// <summary>
/// One DAC quantiser with factorised, L2-normalised codes (ViT-VQGAN): project the latent to CodebookDim
/// (in_proj), pick the codebook entry of highest cosine similarity, project the raw entry back (out_proj).
/// </summary>
public sealed class DacVectorQuantize : nn.Module<Tensor, (Tensor zq, Tensor indices, Tensor ze)>
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

    /// <summary>z (B, D, T) -> z_q (B, D, T), indices (B, T), z_e (B, CodebookDim, T).</summary>
    public override (Tensor zq, Tensor indices, Tensor ze) forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var ze = in_proj.call(z);
        long b = ze.shape[0], d = ze.shape[1], t = ze.shape[2];
        var encodings = nn.functional.normalize(ze.permute(0, 2, 1).reshape(b * t, d));
        var entries = nn.functional.normalize(codebook.weight!);
        // Euclidean distance between unit vectors, as the release computes it (ranks like cosine similarity).
        var dist = encodings.pow(2).sum(1, keepdim: true) - 2 * encodings.matmul(entries.t()) + entries.pow(2).sum(1, keepdim: true).t();
        var indices = dist.neg().argmax(1).reshape(b, t);
        var code = codebook.weight!.index_select(0, indices.flatten()).reshape(b, t, d).transpose(1, 2);
        // The straight-through form is kept so that the float rounding matches the release.
        var zq = out_proj.call(ze + (code - ze));
        return (zq.MoveToOuterDisposeScope(), indices.MoveToOuterDisposeScope(), ze.MoveToOuterDisposeScope());
    }
}

/// <summary>SoundStream residual vector quantiser: each quantiser codes what the previous ones left; z_q is the sum of their outputs.</summary>
public sealed class DacResidualVectorQuantize : nn.Module<Tensor, (Tensor z, Tensor codes, Tensor latents)>
{
    private readonly ModuleList<DacVectorQuantize> quantizers;

    public DacResidualVectorQuantize(DacConfig config) : base(nameof(DacResidualVectorQuantize))
    {
        quantizers = new ModuleList<DacVectorQuantize>(Enumerable.Range(0, config.NCodebooks)
            .Select(_ => new DacVectorQuantize(config.Latent, config.CodebookSize, config.CodebookDim)).ToArray());
        RegisterComponents();
    }

    /// <summary>z (B, D, T) -> quantised z (B, D, T), codes (B, N, T), projected latents (B, N * CodebookDim, T).</summary>
    public override (Tensor z, Tensor codes, Tensor latents) forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        Tensor zq = zeros_like(z), residual = z;
        var codes = new List<Tensor>();
        var latents = new List<Tensor>();
        foreach (var q in quantizers)
        {
            var (zqi, indices, ze) = q.call(residual);
            zq = zq + zqi;
            residual = residual - zqi;
            codes.Add(indices);
            latents.Add(ze);
        }
        return (zq.MoveToOuterDisposeScope(), stack(codes, 1).MoveToOuterDisposeScope(), cat(latents, 1).MoveToOuterDisposeScope());
    }
}
