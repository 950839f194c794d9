namespace PianoJudges.Reporting;

using PianoJudges.Competition;
using PianoJudges.Data;
using PianoJudges.Metrics;
using PianoJudges.Probing;

/// <summary>
/// The main job's report: one offline HTML page with Tables 1-3 (and 4 when the competition ran), the figures,
/// the configuration and the timings. Built from results objects, so the CLI and notebooks render the same thing.
/// </summary>
public sealed class MainReport
{
    private readonly HtmlReport report;
    private readonly List<KeyValuePair<string, TimeSpan>> timings = [];

    public MainReport(string title, string overviewMarkdown)
    {
        report = new HtmlReport(title);
        report.Text(overviewMarkdown);
    }

    public MainReport Step(string name, TimeSpan elapsed)
    {
        timings.Add(new(name, elapsed));
        return this;
    }

    public MainReport Data(ProbeDataset dataset)
    {
        report.Section("Encoders (Table 1)").Table(DatasetSummary.Table1());
        report.Section("Dataset (Table 2)").Table(DatasetSummary.Table2(dataset));
        return this;
    }

    public MainReport Probing(Table3Result result)
    {
        report.Section("Probing results (Table 3)");
        report.Text("Each number is the test-split score of the head selected on validation loss, with a bootstrap 95% interval; " +
                    "the paper's published numbers stand beside ours where it gives them (lib/Probing/PaperTable3.cs).");
        if (result.Results.Count == 0)
        {
            report.Text("No experiment ran: " + string.Join("; ", result.Skipped));
            return this;
        }
        report.Table(Table3Report.Headline(result)).Chart(Table3Report.Chart(result)).Table(Table3Report.Full(result));
        foreach (var r in result.Results)
        {
            report.Section($"{r.Encoder} / {r.Task} (seed {r.Seed})", 3);
            report.Chart(Charts.TrainingCurves("loss", r.Curve.Select(c => c.TrainLoss).ToList(),
                r.Curve.Select(c => c.ValidationLoss).ToList(), $"{r.Task}: loss per epoch"));
            if (r.ConfusionMatrix is { } counts)
                report.Chart(Charts.ConfusionMatrix(ConfusionMatrix.FromCounts(counts), ClassNames(r.Task, counts.GetLength(0)), $"{r.Task}: confusion matrix (test)"));
            if (r.PerLabelAveragePrecision is { } ap)
                report.Chart(Charts.PerLabelAp(Techniques.Names, ap, r.Encoder));
        }
        if (result.Skipped.Count > 0) report.Text("Skipped: " + string.Join("; ", result.Skipped));
        return this;
    }

    /// <summary>
    /// The Chopin Competition case study (Table 4, Figure 2 per ranking, where the finalists land, rank agreement),
    /// with the same views as notebook 06 (<see cref="CompetitionViews"/>).
    /// </summary>
    public MainReport Competition(CompetitionStudyResult result)
    {
        report.Section("Chopin Competition case study (Table 4, Figure 2)");
        report.Text($"Every ordered pair of the {result.Field.Candidates} candidates with different scores ({result.Field.OrderedPairs} pairs; " +
                    $"{result.Field.EqualScorePairsExcluded} equal-score pairs left out: {result.Field.EqualScoreReason}) is judged part by part by the " +
                    $"{result.Config.Encoder} expertise-ranking model, the parts aggregated by {result.Config.Aggregation}. " +
                    "Intervals are bootstrap 95% intervals over the pairs; the paper's numbers stand beside ours where verified (lib/Competition/PaperTable4.cs).");
        report.Table(CompetitionViews.Rounds(result.Field)).Table(CompetitionViews.Table4(result)).Table(CompetitionViews.Paper());
        foreach (var r in result.Ranking)
        {
            report.Section($"Ranking ({r.Setting})", 3);
            report.Text(CompetitionViews.Summary(r));
            report.Chart(CompetitionViews.HitRate(r, result.Config.Encoder)).Table(CompetitionViews.Finalists(r)).Table(CompetitionViews.Simulation(r));
        }
        if (result.Ranking.Count > 0) report.Table(CompetitionViews.Agreement(result));
        return this;
    }

    /// <summary>Any further section (e.g. the competition study) as prepared HTML pieces.</summary>
    public HtmlReport Html => report;

    public string Save(string path, object config)
    {
        report.Config(config);
        report.Timings(timings);
        return report.Save(path);
    }

    private static IReadOnlyList<string> ClassNames(string task, int n) => task switch
    {
        ProbeTaskNames.Expertise2 => ["first better", "second better"],
        ProbeTaskNames.Expertise4 => ["second 2 below", "second 1 below", "second 1 above", "second 2 above"],
        ProbeTaskNames.Difficulty9 => Enumerable.Range(1, 9).Select(h => $"Henle {h}").ToList(),
        ProbeTaskNames.Difficulty3 => ["grades 1-3", "grades 4-6", "grades 7-9"],
        _ => Enumerable.Range(0, n).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(),
    };
}
