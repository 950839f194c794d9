namespace PianoJudges.Probing;

/// <summary>
/// How much training a run gets. <c>paper</c> is the paper's final setting (its presets as they stand: 30
/// segments, up to 500 epochs, selection on validation loss). The laptop profiles exist so that the embedded
/// PLD-synth datasets train in minutes on a CPU: they take only as many segments as the data has, fewer epochs
/// and a larger learning rate. They change run time, not the method: head, losses, splits and metrics are the
/// paper's; every result records the exact options it ran with.
/// </summary>
public sealed record ProbeProfile(string Name, int? MaxEpochs, int? Patience, double? LearningRate, bool SegmentsFromData)
{
    public static ProbeProfile Paper { get; } = new("paper", null, null, null, false);
    public static ProbeProfile Small { get; } = new("small", 15, 5, 1e-3, true);
    public static ProbeProfile Tiny { get; } = new("tiny", 6, null, 2e-3, true);
    public static IReadOnlyList<ProbeProfile> All { get; } = [Paper, Small, Tiny];

    public static ProbeProfile ByName(string name) =>
        All.FirstOrDefault(p => p.Name == name) ?? throw new ArgumentException($"unknown profile '{name}'; expected {string.Join(", ", All.Select(p => p.Name))}");

    /// <summary>The task's paper preset adjusted by this profile; <paramref name="segmentsInData"/> is the most segments any recording has.</summary>
    public ProbeTrainingOptions Apply(ProbeTrainingOptions preset, int segmentsInData) => preset with
    {
        MaxEpochs = MaxEpochs ?? preset.MaxEpochs,
        Patience = MaxEpochs is null ? preset.Patience : Patience,
        LearningRate = LearningRate ?? preset.LearningRate,
        Segments = SegmentsFromData ? Math.Clamp(segmentsInData, 1, preset.Segments) : preset.Segments,
    };
}
