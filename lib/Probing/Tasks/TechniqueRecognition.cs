namespace PianoJudges.Probing.Tasks;

using PianoJudges.Data;

/// <param name="ReleasedPosWeight">Use the released pos_weight constants instead of weights from the training split.</param>
public sealed record TechniqueRecognitionOptions(
    bool ReleasedPosWeight = false,
    double TrainFraction = 0.8,
    double ValidationFraction = 0.1,
    long Seed = 13);

/// <summary>Playing technique: 7-label multi-label classification with BCE and per-label pos_weight.</summary>
public static class TechniqueRecognition
{
    public static int Labels => Techniques.Names.Count;

    /// <summary>
    /// pos_weight of label j = (N - P_j) / P_j on the training split (negatives per positive); a label with
    /// no positive gets 1.
    /// </summary>
    public static float[] PosWeightFromFrequencies(IReadOnlyList<MultiLabelledRecording> train)
    {
        var w = new float[Labels];
        for (int j = 0; j < Labels; j++)
        {
            int p = train.Count(r => r.Labels[j]);
            w[j] = p == 0 ? 1f : (float)(train.Count - p) / p;
        }
        return w;
    }

    public static ProbeTaskData Build(IReadOnlyList<MultiLabelledRecording> recordings, TechniqueRecognitionOptions options)
    {
        foreach (var r in recordings)
            if (r.Labels.Length != Labels)
                throw new ArgumentException($"recording '{r.AudioId}' has {r.Labels.Length} technique labels; expected {Labels} ({string.Join(", ", Techniques.Names)})");
        var (train, validation, test) = GroupSplit.Assign(recordings, r => r.AudioId, r => r.Group, r => r.Split,
            options.TrainFraction, options.ValidationFraction, options.Seed);
        float[] posWeight = options.ReleasedPosWeight ? ProbePresets.ReleasedTechniquePosWeight() : PosWeightFromFrequencies(train);
        static ProbeExample Ex(MultiLabelledRecording r) => new(r.AudioId, [r.AudioId], -1, r.Labels.Select(b => b ? 1f : 0f).ToArray());
        var objective = new ProbeObjective(ObjectiveKind.MultiLabel, Labels, PosWeight: posWeight);
        return new ProbeTaskData("technique", objective, 1,
            train.Select(Ex).ToList(), validation.Select(Ex).ToList(), test.Select(Ex).ToList());
    }
}
