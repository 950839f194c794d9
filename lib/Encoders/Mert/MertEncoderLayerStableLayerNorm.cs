namespace PianoJudges.Encoders.Mert;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Pre-norm transformer layer (HubertEncoderLayerStableLayerNorm; MERT-v1-330M): x = x + Attn(LN(x)); x = x + FF(LN'(x)).
/// Shapes (batch, frames, hidden_size).
/// </summary>
public sealed class MertEncoderLayerStableLayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly MertAttention attention;
    private readonly LayerNorm layer_norm;
    private readonly MertFeedForward feed_forward;
    private readonly LayerNorm final_layer_norm;

    public MertEncoderLayerStableLayerNorm(MertConfig config) : base(nameof(MertEncoderLayerStableLayerNorm))
    {
        attention = new MertAttention(config);
        layer_norm = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps);
        feed_forward = new MertFeedForward(config);
        final_layer_norm = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x + attention.call(layer_norm.call(x));
        h = h + feed_forward.call(final_layer_norm.call(h));
        return h.MoveToOuterDisposeScope();
    }
}
