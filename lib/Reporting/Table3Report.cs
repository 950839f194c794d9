namespace PianoJudges.Reporting;

using PianoJudges.Probing;

/// <summary>Table 3 as tables, a chart and files: the one rendering used by the CLI, the notebooks and the report.</summary>
public static class Table3Report
{
    /// <summary>Every metric of every (encoder, task): ours with its 95% interval, mean ± std over seeds, and the paper's.</summary>
    public static Table Full(Table3Result result) => new(
        ["encoder", "task", "metric", "ours", "95% CI", "mean ± std (seeds)", "paper"],
        Table3.Rows(result).Select(r => (IReadOnlyList<object?>)
        [
            r.Encoder, r.Task, r.Metric, r.Ours.Value, Interval(r.Ours),
            r.OverSeeds is { } s ? $"{s.Mean:0.###} ± {s.Std:0.###} (n={s.Seeds})" : "",
            PaperTable3.Cell(r.Task, r.Metric, r.Encoder),
        ]),
        caption: "Table 3 (probing): ours beside the paper's published numbers");

    /// <summary>One row per (encoder, task) with the task's headline metric.</summary>
    public static Table Headline(Table3Result result) => new(
        ["encoder", "task", "metric", "ours", "95% CI", "paper", "best epoch", "seconds (this run)"],
        result.Results.OrderBy(r => Table3.EncoderOrder(r.Encoder)).GroupBy(r => (r.Encoder, r.Task)).Select(g =>
        {
            var first = g.First();
            string metric = Table3.HeadlineMetric(first.Task);
            var m = first.Metrics[metric];
            return (IReadOnlyList<object?>)
            [
                first.Encoder, first.Task, metric, m.Value, Interval(m),
                PaperTable3.Cell(first.Task, metric, first.Encoder), first.BestEpoch, Math.Round(g.Sum(r => r.Seconds), 1),
            ];
        }),
        caption: "Table 3, headline metric per task");

    /// <summary>Our headline metric per (encoder, task) beside the paper's (no bar where it gives none).</summary>
    public static ChartView Chart(Table3Result result)
    {
        var rows = Table3.Rows(result).Where(r => r.Metric == Table3.HeadlineMetric(r.Task)).ToList();
        return Charts.OursVsPaper("Table 3: ours vs the paper (headline metric per task; the paper's bar is its best approach where it gives no cell for the encoder)",
            rows.Select(r => $"{r.Encoder} {r.Task}").ToList(),
            rows.Select(r => r.Ours.Value).ToList(),
            rows.Select(r => r.Paper ?? double.NaN).ToList(),
            "score", rows.Select(r => r.OverSeeds?.Std ?? 0).ToList(), yMax: 1);
    }

    /// <summary>Writes table3.csv, table3.md and table3.html into <paramref name="directory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(Table3Result result, string directory)
    {
        var table = Full(result);
        string csv = Path.Combine(directory, "table3.csv"), md = Path.Combine(directory, "table3.md");
        table.SaveCsv(csv);
        table.SaveMarkdown(md);
        string html = new HtmlReport("Table 3").Table(Headline(result)).Chart(Chart(result)).Table(table)
            .Save(Path.Combine(directory, "table3.html"));
        return [csv, md, html];
    }

    private static string Interval(PianoJudges.Metrics.MetricResult m) =>
        double.IsNaN(m.Lower) ? "" : $"[{m.Lower:0.###}, {m.Upper:0.###}]";
}
