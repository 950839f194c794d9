namespace PianoJudges.Probing;

/// <summary>A number the paper publishes for one task and metric.</summary>
/// <param name="Encoder">The encoder it was reported for, or "best" where the paper gives only its best approach.</param>
/// <param name="Source">Where in the paper it stands.</param>
public sealed record PaperNumber(string Task, string Metric, string Encoder, double Value, string Source);

/// <summary>
/// The paper's published results, the one place they are typed. Only numbers that could be checked here are
/// entered: the abstract's headline results (its best approach per task, with Audio-MAE the most effective
/// encoder overall). The per-encoder cells of Table 3 were not available offline when this was written; add
/// them here (task, metric, encoder, value) and every table, chart and notebook shows them beside ours.
/// </summary>
public static class PaperTable3
{
    public const string Abstract = "abstract (best approach per task)";

    public static IReadOnlyList<PaperNumber> Numbers { get; } =
    [
        new(ProbeTaskNames.Expertise2, "accuracy", "best", 0.936, Abstract),
        new(ProbeTaskNames.Difficulty9, "accuracy", "best", 0.337, Abstract),
        new(ProbeTaskNames.Techniques, "single_label_accuracy", "best", 0.467, Abstract),
    ];

    /// <summary>
    /// A table cell for the paper's number: the value itself when the paper gives it for this encoder, "0.936 (best
    /// approach)" when only its best-approach number exists (so that it is not read as this encoder's), else null.
    /// </summary>
    public static object? Cell(string task, string metric, string encoder) => Find(task, metric, encoder) switch
    {
        null => null,
        { Encoder: "best" } n when encoder != "best" => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{n.Value:0.###} (best approach)"),
        var n => n.Value,
    };

    /// <summary>The paper's number for (task, metric, encoder), falling back to its best-approach number; null when it gives none.</summary>
    public static PaperNumber? Find(string task, string metric, string encoder) =>
        Numbers.FirstOrDefault(n => n.Task == task && n.Metric == metric && n.Encoder == encoder)
        ?? Numbers.FirstOrDefault(n => n.Task == task && n.Metric == metric && n.Encoder == "best");
}
