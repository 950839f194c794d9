namespace PianoJudges.Encoders.Mert;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// One layer of the feature encoder: Conv1d, then (per feat_extract_norm) a GroupNorm with one
/// group per channel on the first layer only, or a LayerNorm over channels on every layer, then GELU.
/// (Hugging Face: HubertGroupNormConvLayer / HubertNoLayerNormConvLayer / HubertLayerNormConvLayer.)
/// Input (batch, conv_dim[i-1] or 1, time); output (batch, conv_dim[i], floor((time - kernel) / stride) + 1).
/// </summary>
public sealed class MertConvLayer : nn.Module<Tensor, Tensor>
{
    private readonly Conv1d conv;
    private readonly nn.Module<Tensor, Tensor>? layer_norm;
    private readonly bool _channelsLast;

    public MertConvLayer(MertConfig config, int layerId) : base(nameof(MertConvLayer))
    {
        long inDim = layerId == 0 ? 1 : config.ConvDim[layerId - 1];
        long outDim = config.ConvDim[layerId];
        conv = nn.Conv1d(inDim, outDim, config.ConvKernel[layerId], config.ConvStride[layerId], bias: config.ConvBias);
        if (config.FeatExtractNorm == MertFeatExtractNorm.Layer)
        {
            layer_norm = nn.LayerNorm(outDim, eps: 1e-5, elementwise_affine: true);
            _channelsLast = true;
        }
        else if (layerId == 0)
        {
            layer_norm = nn.GroupNorm(outDim, outDim, eps: 1e-5, affine: true);
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = conv.call(x);
        if (layer_norm is not null)
            h = _channelsLast ? layer_norm.call(h.transpose(-2, -1)).transpose(-2, -1) : layer_norm.call(h);
        return nn.functional.gelu(h).MoveToOuterDisposeScope();
    }
}
