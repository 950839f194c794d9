namespace PianoJudges.Encoders.Mert;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// The transformer stack, the checkpoint's "encoder" (HubertEncoder, or HubertEncoderStableLayerNorm when
/// do_stable_layer_norm). Returns num_hidden_layers + 1 hidden states as Hugging Face's output_hidden_states does:
/// post-norm: [LN(x + pos), layer 1, ..., layer N]; stable: [x + pos, layer 1, ..., layer N-1, LN(layer N)].
/// Input (batch, frames, hidden_size); each output the same shape.
/// </summary>
public sealed class MertTransformerEncoder : nn.Module
{
    private readonly MertPositionalConvEmbedding pos_conv_embed;
    private readonly LayerNorm layer_norm;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layers;
    private readonly bool _stable;

    public MertTransformerEncoder(MertConfig config) : base(nameof(MertTransformerEncoder))
    {
        _stable = config.DoStableLayerNorm;
        pos_conv_embed = new MertPositionalConvEmbedding(config);
        layer_norm = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps);
        layers = new ModuleList<nn.Module<Tensor, Tensor>>(Enumerable.Range(0, config.NumHiddenLayers)
            .Select(_ => _stable ? (nn.Module<Tensor, Tensor>)new MertEncoderLayerStableLayerNorm(config) : new MertEncoderLayer(config)).ToArray());
        RegisterComponents();
    }

    public int NumLayers => layers.Count;

    /// <summary>Runs the stack; <paramref name="keep"/>(i) says whether hidden state i (0..N) is returned (others are disposed as soon as possible). Entries not kept are null.</summary>
    public Tensor?[] Forward(Tensor hiddenStates, Func<int, bool>? keep = null)
    {
        keep ??= _ => true;
        var states = new Tensor?[layers.Count + 1];
        Tensor h;
        using (var pos = pos_conv_embed.call(hiddenStates))
        {
            if (_stable) h = hiddenStates + pos;
            else
            {
                using var sum = hiddenStates + pos;
                h = layer_norm.call(sum);
            }
        }
        for (int i = 0; i < layers.Count; i++)
        {
            var next = layers[i].call(h);
            if (keep(i)) states[i] = h; else h.Dispose();
            h = next;
        }
        if (_stable)
        {
            var last = layer_norm.call(h);
            h.Dispose();
            h = last;
        }
        if (keep(layers.Count)) states[layers.Count] = h; else h.Dispose();
        return states;
    }
}
