namespace PianoJudges.Probing;

/// <summary>
/// One training/evaluation example: one recording (difficulty, techniques) or an ordered pair (ranking).
/// </summary>
/// <param name="Id">Stable id (for a pair: "a|b").</param>
/// <param name="AudioIds">The recordings whose embeddings are concatenated along time, in this order.</param>
/// <param name="Label">Single-label class index; -1 for multi-label examples.</param>
/// <param name="Targets">Multi-label multi-hot (0/1 per label); null for single-label examples.</param>
public sealed record ProbeExample(string Id, IReadOnlyList<string> AudioIds, int Label = -1, float[]? Targets = null);

/// <summary>A task ready to train: the objective, how many recordings an example holds, and its three splits.</summary>
/// <param name="Name">e.g. "ranking-2", "difficulty-9", "technique".</param>
/// <param name="InputsPerExample">1, or 2 for ranking pairs (time axis becomes T_a + T_b).</param>
public sealed record ProbeTaskData(
    string Name,
    ProbeObjective Objective,
    int InputsPerExample,
    IReadOnlyList<ProbeExample> Train,
    IReadOnlyList<ProbeExample> Validation,
    IReadOnlyList<ProbeExample> Test)
{
    /// <summary>The head configuration for embeddings of (T, D) per segment.</summary>
    public ProbeHeadConfig HeadConfig(int frames, int dim, ProbeMode mode) =>
        new(frames * InputsPerExample, dim, Objective.Classes, mode);
}
