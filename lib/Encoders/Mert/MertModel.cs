namespace PianoJudges.Encoders.Mert;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// MERT (Li et al. 2024, "MERT: Acoustic Music Understanding Model with Large-Scale Self-supervised
/// Training"), the inference path of the released MERTModel: feature encoder, feature projection,
/// transformer stack. Attribute names equal the checkpoint keys of m-a-p/MERT-v1-95M and
/// m-a-p/MERT-v1-330M (e.g. feature_extractor.conv_layers.0.conv.weight,
/// encoder.layers.0.attention.q_proj.weight), so <see cref="Weights.StateDictLoader"/> maps them one to one.
/// Input (batch, samples) normalised waveform at 24 kHz; output num_hidden_layers + 1 hidden states of
/// (batch, frames, hidden_size), frames = <see cref="MertConfig.FrameCount"/>(samples).
/// </summary>
public sealed class MertModel : nn.Module<Tensor, Tensor>
{
    private readonly MertFeatureEncoder feature_extractor;
    private readonly MertFeatureProjection feature_projection;
    private readonly MertTransformerEncoder encoder;
    private readonly Parameter? masked_spec_embed;

    public MertModel(MertConfig config) : base(nameof(MertModel))
    {
        Config = config.Validate();
        feature_extractor = new MertFeatureEncoder(config);
        feature_projection = new MertFeatureProjection(config);
        // Only used to mask frames in pre-training; present so that checkpoints load strictly.
        if (config.HasMaskedSpecEmbed) masked_spec_embed = new Parameter(torch.zeros(config.HiddenSize));
        encoder = new MertTransformerEncoder(config);
        RegisterComponents();
    }

    public MertConfig Config { get; }

    /// <summary>Checkpoint keys the model has but inference does not need (may be absent from a checkpoint).</summary>
    public static IReadOnlyCollection<string> OptionalKeys { get; } = ["masked_spec_embed"];

    /// <summary>The last hidden state, (batch, frames, hidden_size).</summary>
    public override Tensor forward(Tensor inputValues)
    {
        var states = HiddenStates(inputValues, i => i == Config.NumHiddenLayers);
        return states[^1]!;
    }

    /// <summary>All num_hidden_layers + 1 hidden states (entries not selected by <paramref name="keep"/> are null).</summary>
    public Tensor?[] HiddenStates(Tensor inputValues, Func<int, bool>? keep = null)
    {
        Tensor projected;
        using (var features = feature_extractor.call(inputValues))
        using (var framesFirst = features.transpose(1, 2))
            projected = feature_projection.call(framesFirst);
        using (projected)
            return encoder.Forward(projected, keep);
    }
}
