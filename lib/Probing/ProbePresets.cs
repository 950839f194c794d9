namespace PianoJudges.Probing;

/// <summary>
/// Training settings of one probe run. Defaults are the paper's; see <see cref="ProbePresets"/> for the final runs.
/// </summary>
/// <param name="Patience">Epochs without a better validation loss before stopping; null trains MaxEpochs.</param>
/// <param name="MemoryBudgetBytes">Host memory the streaming loader may hold in batches.</param>
/// <param name="CheckpointDirectory">Where last.ckpt (resumable) and best.pt (selected weights) go; null keeps nothing on disk.</param>
/// <param name="Device">"cpu", "cuda", or null: cuda when available, else cpu.</param>
/// <param name="Threads">torch intra-op threads; null leaves libtorch's default (results are reproducible for a fixed count).</param>
/// <param name="Segments">Segments per recording the head takes (the paper: 30 x 10 s = 5 minutes; the laptop-sized PLD-synth runs use fewer).</param>
public sealed record ProbeTrainingOptions(
    double LearningRate,
    int BatchSize,
    double WeightDecay,
    long Seed = 13,
    int MaxEpochs = 500,
    int? Patience = 30,
    int? EvalBatchSize = null,
    ProbeMode Mode = ProbeMode.Corrected,
    long MemoryBudgetBytes = 2L << 30,
    string? CheckpointDirectory = null,
    bool Resume = true,
    string? Device = null,
    int? Threads = null,
    int Segments = 30);

/// <summary>The paper's final runs and the released constants, in one place.</summary>
public static class ProbePresets
{
    /// <summary>Seed of every released config (random_seed: 13).</summary>
    public const long Seed = 13;

    /// <summary>Released conf: max_epochs 500.</summary>
    public const int MaxEpochs = 500;

    /// <summary>
    /// Expertise ranking: Adam, lr 5e-5, batch 12, weight decay 1e-5 (conf/ranking.yaml). The last released
    /// modules_.py comments the weight decay out of configure_optimizers; set WeightDecay 0 to match it.
    /// </summary>
    public static ProbeTrainingOptions Ranking { get; } = new(LearningRate: 5e-5, BatchSize: 12, WeightDecay: 1e-5);

    /// <summary>Difficulty: Adam, lr 5e-5, batch 64 (paper); no weight decay (conf/difficulty.yaml: 0).</summary>
    public static ProbeTrainingOptions Difficulty { get; } = new(LearningRate: 5e-5, BatchSize: 64, WeightDecay: 0);

    /// <summary>
    /// Techniques: Adam, lr 5e-6, batch 12 (paper); no weight decay: conf/technique.yaml says 1e-5 but the
    /// last released optimizer ignores it.
    /// </summary>
    public static ProbeTrainingOptions Technique { get; } = new(LearningRate: 5e-6, BatchSize: 12, WeightDecay: 0);

    /// <summary>The released technique pos_weight: [3.625, 4.55, 6.16, 5.34, 5.16, 5.34, 4.41] x 1.4.</summary>
    public static float[] ReleasedTechniquePosWeight() =>
        new[] { 3.625f, 4.55f, 6.16f, 5.34f, 5.16f, 5.34f, 4.41f }.Select(w => w * 1.4f).ToArray();

    /// <summary>Preset by name: ranking, difficulty, technique.</summary>
    public static ProbeTrainingOptions ByName(string name) => name switch
    {
        "ranking" => Ranking,
        "difficulty" => Difficulty,
        "technique" => Technique,
        _ => throw new ArgumentException($"unknown probe preset '{name}'; expected ranking, difficulty or technique"),
    };
}
