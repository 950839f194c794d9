namespace PianoJudges.Encoders.Mert;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Post-norm transformer layer (HubertEncoderLayer; MERT-v1-95M): x = LN(alpha x + Attn(x)); x = LN'(alpha x + FF(x)),
/// alpha = (2 N)^(1/4) with deepnorm, else 1. Shapes (batch, frames, hidden_size).
/// </summary>
public sealed class MertEncoderLayer : nn.Module<Tensor, Tensor>
{
    private readonly MertAttention attention;
    private readonly LayerNorm layer_norm;
    private readonly MertFeedForward feed_forward;
    private readonly LayerNorm final_layer_norm;
    private readonly double _residualAlpha;

    public MertEncoderLayer(MertConfig config) : base(nameof(MertEncoderLayer))
    {
        attention = new MertAttention(config);
        layer_norm = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps);
        feed_forward = new MertFeedForward(config);
        final_layer_norm = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps);
        _residualAlpha = config.Deepnorm ? Math.Pow(2.0 * config.NumHiddenLayers, 0.25) : 1.0;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = layer_norm.call(Residual(x) + attention.call(x));
        h = final_layer_norm.call(Residual(h) + feed_forward.call(h));
        return h.MoveToOuterDisposeScope();
    }

    private Tensor Residual(Tensor x) => _residualAlpha == 1.0 ? x : x * _residualAlpha;
}
