namespace PianoJudges.Encoders.Mert;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// MERT's feature projection (MERTFeatureProjection): LayerNorm over the conv features (when
/// feat_proj_layer_norm), then a Linear map to hidden_size. Dropout is inference-time identity.
/// Input (batch, frames, conv_dim[-1]); output (batch, frames, hidden_size).
/// </summary>
public sealed class MertFeatureProjection : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm? layer_norm;
    private readonly Linear projection;

    public MertFeatureProjection(MertConfig config) : base(nameof(MertFeatureProjection))
    {
        long dim = config.ConvDim[^1];
        if (config.FeatProjLayerNorm) layer_norm = nn.LayerNorm(dim, eps: config.LayerNormEps);
        projection = nn.Linear(dim, config.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor features)
    {
        if (layer_norm is null) return projection.call(features);
        using var normed = layer_norm.call(features);
        return projection.call(normed);
    }
}
