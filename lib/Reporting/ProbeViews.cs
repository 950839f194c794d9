namespace PianoJudges.Reporting;

using PianoJudges.Data;
using PianoJudges.Metrics;
using PianoJudges.Probing;
using PianoJudges.Probing.Tasks;

/// <summary>Tables and charts of one probing task and its results, as the notebooks show them.</summary>
public static class ProbeViews
{
    /// <summary>The first <paramref name="count"/> training pairs of a ranking task: both recordings, their levels, and the R2 and R4 labels of Eq. 1.</summary>
    public static Table Pairs(Manifest expertise, ProbeTaskData ranking, int count = 8)
    {
        var level = expertise.Rows.Where(r => r.Label is not null).GroupBy(r => r.AudioId).ToDictionary(g => g.Key, g => g.First().Label!.Value);
        return new Table(["first", "level", "second", "level ", "R2 label", "R4 label"],
            ranking.Train.Take(count).Select(p =>
            {
                string a = p.AudioIds[0], b = p.AudioIds[1];
                int la = level[a], lb = level[b];
                int r2 = ExpertiseRanking.PairLabel(la, lb, 2), r4 = ExpertiseRanking.PairLabel(la, lb, 4);
                return (IReadOnlyList<object?>)
                [
                    a, ExpertiseLevels.Names[la], b, ExpertiseLevels.Names[lb],
                    $"{r2} ({ProbeTaskNames.ClassNames(ProbeTaskNames.Expertise2)[r2]})", $"{r4} ({ProbeTaskNames.ClassNames(ProbeTaskNames.Expertise4)[r4]})",
                ];
            }),
            caption: $"{ranking.Name}: the first {Math.Min(count, ranking.Train.Count)} of {ranking.Train.Count} training pairs");
    }

    /// <summary>Examples per split and class of a single-label task (a multi-label task counts each label an example carries).</summary>
    public static Table Splits(string task, ProbeTaskData data)
    {
        var names = ProbeTaskNames.ClassNames(task);
        IReadOnlyList<object?> Row(string split, IReadOnlyList<ProbeExample> examples)
        {
            var counts = new int[names.Count];
            foreach (var e in examples)
                if (e.Targets is { } t) { for (int j = 0; j < t.Length && j < counts.Length; j++) if (t[j] > 0.5f) counts[j]++; }
                else if (e.Label >= 0 && e.Label < counts.Length) counts[e.Label]++;
            return [split, examples.Count, .. counts.Cast<object?>()];
        }
        return new Table(["split", "examples", .. names],
            [Row("train", data.Train), Row("validation", data.Validation), Row("test", data.Test)],
            caption: $"{task}: examples per split and class");
    }

    /// <summary>Every metric of one result with its 95% bootstrap interval and the paper's number where it gives one.</summary>
    public static Table Metrics(ProbeExperimentResult result) => new(
        ["metric", "value", "95% CI", "n", "paper"],
        result.Metrics.Select(kv => (IReadOnlyList<object?>)
        [
            kv.Key, kv.Value.Value, double.IsNaN(kv.Value.Lower) ? "" : $"[{kv.Value.Lower:0.###}, {kv.Value.Upper:0.###}]", kv.Value.N,
            PaperTable3.Cell(result.Task, kv.Key, result.Encoder),
        ]),
        caption: $"{result.Encoder} / {result.Task}: test metrics ({result.TestExamples} examples; best epoch {result.BestEpoch} of {result.Curve.Count})",
        numberFormat: "0.###");

    /// <summary>Results of the same task side by side, one column per named run (e.g. corrected vs faithful head).</summary>
    public static Table Compare(params (string Name, ProbeExperimentResult Result)[] runs)
    {
        if (runs.Length == 0) throw new ArgumentException("nothing to compare", nameof(runs));
        var metrics = runs[0].Result.Metrics.Keys.ToList();
        return new Table(["metric", .. runs.Select(r => r.Name)],
            metrics.Select(m => (IReadOnlyList<object?>)
            [
                m, .. runs.Select(r => r.Result.Metrics.TryGetValue(m, out var v)
                    ? (object?)$"{v.Value:0.###} [{v.Lower:0.###}, {v.Upper:0.###}]" : null),
            ]),
            caption: $"{runs[0].Result.Task}: {string.Join(" vs ", runs.Select(r => r.Name))}");
    }

    /// <summary>Training and validation loss per epoch of a result.</summary>
    public static ChartView LossCurves(ProbeExperimentResult result) => Charts.TrainingCurves("loss",
        result.Curve.Select(e => e.TrainLoss).ToList(), result.Curve.Select(e => e.ValidationLoss).ToList(),
        $"{result.Encoder} / {result.Task}: loss per epoch (best epoch {result.BestEpoch})");

    /// <summary>The test confusion matrix of a single-label result, classes named as in <see cref="ProbeTaskNames.ClassNames"/>.</summary>
    public static ChartView Confusion(ProbeExperimentResult result, bool normalise = false) => Charts.ConfusionMatrix(
        ConfusionMatrix.FromCounts(result.ConfusionMatrix ?? throw new ArgumentException($"{result.Task} is multi-label: it has no confusion matrix")),
        ProbeTaskNames.ClassNames(result.Task), $"{result.Encoder} / {result.Task}: test confusion matrix", normalise);

    /// <summary>Average precision per technique of a multi-label result (the paper's Figure 3), one model.</summary>
    public static ChartView PerLabelAp(ProbeExperimentResult result) => Charts.PerLabelAp(
        ProbeTaskNames.ClassNames(result.Task),
        result.PerLabelAveragePrecision ?? throw new ArgumentException($"{result.Task} is single-label: it has no per-label AP"),
        result.Encoder, $"{result.Encoder} / {result.Task}: average precision per technique (test)");
}
