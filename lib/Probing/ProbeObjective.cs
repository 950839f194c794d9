namespace PianoJudges.Probing;

using static TorchSharp.torch;

/// <summary>Single-label (softmax, cross-entropy) or multi-label (sigmoid, binary cross-entropy) output.</summary>
public enum ObjectiveKind
{
    SingleLabel,
    MultiLabel,
}

/// <summary>
/// How logits become a loss and probabilities. In <see cref="ProbeMode.Faithful"/> mode the loss receives
/// softmax/sigmoid outputs (the released PredictionHead.forward activates, then CrossEntropyLoss /
/// BCEWithLogitsLoss activates again); the corrected default gives the loss the logits.
/// </summary>
/// <param name="Classes">Output units.</param>
/// <param name="PosWeight">Multi-label only: BCE pos_weight per label (length Classes) or null.</param>
/// <param name="ClassWeights">Single-label only: cross-entropy class weights (length Classes) or null.</param>
public sealed record ProbeObjective(ObjectiveKind Kind, int Classes, float[]? PosWeight = null, float[]? ClassWeights = null)
{
    /// <summary>Mean loss of a batch. logits (B, K); targets (B) int64 labels or (B, K) float multi-hot.</summary>
    public Tensor Loss(Tensor logits, Tensor targets, ProbeMode mode)
    {
        using var scope = NewDisposeScope();
        var input = mode == ProbeMode.Faithful ? Probabilities(logits) : logits;
        Tensor loss;
        if (Kind == ObjectiveKind.SingleLabel)
        {
            using var w = ClassWeights is null ? null : tensor(ClassWeights, device: logits.device);
            loss = nn.functional.cross_entropy(input, targets, weight: w);
        }
        else
        {
            using var pw = PosWeight is null ? null : tensor(PosWeight, device: logits.device);
            loss = nn.functional.binary_cross_entropy_with_logits(input, targets, pos_weights: pw);
        }
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>(B, K) logits -> (B, K) probabilities: softmax over classes, or a sigmoid per label.</summary>
    public Tensor Probabilities(Tensor logits) =>
        Kind == ObjectiveKind.SingleLabel ? nn.functional.softmax(logits, 1) : sigmoid(logits);

    public void Validate()
    {
        if (Classes < 1) throw new ArgumentException($"ProbeObjective: Classes ({Classes}) must be at least 1");
        if (PosWeight is not null && (Kind != ObjectiveKind.MultiLabel || PosWeight.Length != Classes))
            throw new ArgumentException($"ProbeObjective: PosWeight needs a multi-label objective and {Classes} values, got {PosWeight.Length}");
        if (ClassWeights is not null && (Kind != ObjectiveKind.SingleLabel || ClassWeights.Length != Classes))
            throw new ArgumentException($"ProbeObjective: ClassWeights needs a single-label objective and {Classes} values, got {ClassWeights.Length}");
    }
}
