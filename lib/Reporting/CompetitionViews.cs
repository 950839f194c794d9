namespace PianoJudges.Reporting;

using System.Globalization;
using PianoJudges.Competition;
using PianoJudges.Metrics;
using PianoJudges.Probing;
using PianoJudges.Synthesis;

/// <summary>
/// Tables and charts of the Chopin Competition case study (Table 4, Figure 2, rankings), as notebook 06 and the main
/// job's report show them; built from a <see cref="CompetitionStudyResult"/> so both render the same thing.
/// </summary>
public static class CompetitionViews
{
    /// <summary>Caption of <see cref="Table4"/>; the report's test looks for it.</summary>
    public const string Table4Caption = "Table 4: pairwise ranking of the competition candidates";

    /// <summary>
    /// The workflow's options at a notebook size: tiny is the end-to-end test's field of 8 candidates with three epochs of
    /// expertise training and one of fitting; small and full are the CLI's sizes (the paper's field of 137, 30 epochs).
    /// </summary>
    public static CompetitionWorkflowOptions NotebookOptions(NotebookSize size)
    {
        if (size == NotebookSize.Tiny)
        {
            var tiny = CompetitionConfig.ForSize(PldSynthSizes.Tiny);
            return new CompetitionWorkflowOptions(Size: PldSynthSizes.Tiny, Synthetic: tiny with { Name = tiny.Name + "-8", Candidates = 8 },
                ExpertiseEpochs: 3, ExpertiseTraining: ProbePresets.Ranking with { BatchSize = 4, Patience = null },
                Study: new CompetitionStudyOptions(FitEpochs: 1, Bootstrap: new BootstrapOptions(Resamples: 200)));
        }
        return new CompetitionWorkflowOptions(Size: size == NotebookSize.Small ? PldSynthSizes.Small : PldSynthSizes.Paper);
    }

    /// <summary>
    /// Candidates per round of a field: how many entered each round (passed all before it) and how many went out there.
    /// Counted over every scored manifest row, audio or not.
    /// </summary>
    public static Table Rounds(int[] scoreCounts, int[] roundSizes, string caption)
    {
        int total = scoreCounts.Sum();
        var names = Charts.Icpc2015Rounds;
        return new Table(["round", "entered", "went out there"],
            scoreCounts.Select((outThere, k) => (IReadOnlyList<object?>)
            [
                k < names.Count ? names[k] : $"round {k + 1}", k == 0 ? total : roundSizes[k - 1], outThere,
            ]),
            caption: caption);
    }

    /// <summary><see cref="Rounds(int[], int[], string)"/> of a field.</summary>
    public static Table Rounds(CompetitionField field) =>
        Rounds(field.ScoreCounts, field.RoundSizes, $"{field.ManifestName}: candidates per round ({field.ScoreCounts.Sum()} scored)");

    /// <summary><see cref="Rounds(int[], int[], string)"/> of the field a study saw.</summary>
    public static Table Rounds(FieldSummary field) =>
        Rounds(field.ScoreCounts, field.RoundSizes, $"{field.Manifest}: candidates per round ({field.ScoreCounts.Sum()} scored)");

    /// <summary>Ours: every setting's accuracy and macro F1 with 95% bootstrap intervals, and the paper's number beside it (n/a where unverified).</summary>
    public static Table Table4(CompetitionStudyResult result) => new(
        ["encoder", "setting", "candidates", "pairs", "train pairs", "accuracy", "accuracy 95% CI", "F1", "F1 95% CI", "paper accuracy", "paper F1"],
        result.Table4.Select(r =>
        {
            var s = result.Settings.FirstOrDefault(x => x.Setting == r.Setting);
            return (IReadOnlyList<object?>)
            [
                r.Encoder, r.Setting, r.Candidates, r.Pairs, r.TrainPairs, r.Accuracy, Interval(s?.Accuracy), r.F1, Interval(s?.F1),
                r.PaperAccuracy?.ToString("0.###", CultureInfo.InvariantCulture) ?? "n/a", r.PaperF1?.ToString("0.###", CultureInfo.InvariantCulture) ?? "n/a",
            ];
        }),
        caption: $"{Table4Caption} ({result.Field.Manifest}, {result.Config.Aggregation}, {result.Config.WinCounting} win counting)",
        numberFormat: "0.###");

    /// <summary>
    /// The paper's side (<see cref="PaperTable4"/>): Table 4 as printed (n/a where not verified) and the authors' released
    /// DAC predictions scored by lib/Metrics.
    /// </summary>
    public static Table Paper()
    {
        var (accuracy, f1, pairs) = PaperTable4.ReleasedDac();
        static string V(double? v) => v?.ToString("0.###", CultureInfo.InvariantCulture) ?? "n/a";
        return new Table(["encoder", "setting", "candidates", "pairs", "accuracy", "F1"],
            [
                .. PaperTable4.Printed.Select(e => (IReadOnlyList<object?>)[e.Encoder, e.Setting == PaperTable4.Setting.WithFitting ? "with fitting" : "without fitting", "", "", V(e.Accuracy), V(e.F1)]),
                ["dac (released predictions)", "not recorded", PaperTable4.ReleasedDacCandidates, pairs, V(accuracy), V(f1)],
            ],
            caption: "The paper's Table 4 (lib/Competition/PaperTable4.cs) and the authors' released DAC pair predictions");
    }

    /// <summary>The chart input of Figure 2: each entrant's name, wins, games and real rounds passed.</summary>
    public static IReadOnlyList<CompetitionCandidate> Candidates(CompetitionRanking ranking) =>
        ranking.Entrants.Select(e => new CompetitionCandidate(e.Name, e.Wins, e.Score, e.Games)).ToList();

    /// <summary>The paper's Figure 2 for one ranking: hit rate against win-count threshold, one point per candidate (hover: name and record).</summary>
    public static ChartView HitRate(CompetitionRanking ranking, string encoder) =>
        Charts.CompetitionHitRate(Candidates(ranking), $"Figure 2 ({encoder}, {ranking.Setting}): hit rate against win-count threshold");

    /// <summary>Where the finalists (the highest score) and prize winners land in the model's ranking.</summary>
    public static Table Finalists(CompetitionRanking ranking)
    {
        int top = ranking.Entrants.Max(e => e.Score);
        int n = ranking.Entrants.Count;
        return new Table(["candidate", "rounds passed", "prize", "wins / games", "rank", "Bradley-Terry rank", "top half", "simulated rounds passed"],
            ranking.Entrants.Where(e => e.Score == top || e.Prize is not null).OrderBy(e => e.Prize ?? int.MaxValue).ThenBy(e => e.Rank)
                .Select(e => (IReadOnlyList<object?>)
                [
                    e.Name, e.Score, e.Prize?.ToString(CultureInfo.InvariantCulture) ?? "", $"{e.Wins} / {e.Games}", $"{e.Rank} of {n}",
                    e.StrengthRank, e.WithinHalf ? "yes" : "no", e.SimulatedRoundsPassed,
                ]),
            caption: $"{ranking.Setting}: where the finalists and prize winners land ({n} candidates)");
    }

    /// <summary>Kendall tau-b and Spearman rho of every predictor of every ranking against the real rounds passed.</summary>
    public static Table Agreement(CompetitionStudyResult result) => new(
        ["setting", "predictor", "Kendall tau-b", "Spearman rho"],
        result.Ranking.SelectMany(r => r.Agreement.Select(a => (IReadOnlyList<object?>)[r.Setting, a.Predictor, a.KendallTauB, a.SpearmanRho])),
        caption: "Rank agreement with the real rounds passed",
        numberFormat: "0.###");

    /// <summary>The competition replayed from the predictions against the real one, round by round.</summary>
    public static Table Simulation(CompetitionRanking ranking) => new(
        ["passed at least", "real", "simulated", "both"],
        ranking.SimulationVsReal.Rounds.Select(a => (IReadOnlyList<object?>)
            [a.Round == 1 ? "1 round" : $"{a.Round} rounds", a.Real, a.Simulated, a.Overlap]),
        caption: $"{ranking.Setting}: the competition replayed from the predictions vs the real one");

    /// <summary>A one-line summary of a ranking: the cut-off of Figure 2 and the best agreement.</summary>
    public static string Summary(CompetitionRanking ranking)
    {
        var cut = ranking.HitRate.AtCutoff;
        var all = ranking.HitRate.Points[0];
        return string.Create(CultureInfo.InvariantCulture,
            $"{ranking.Setting}: at the cut-off (wins ≥ {cut.Threshold}, half the field) {cut.Passed} of {cut.AtOrAbove} passed the preliminary round " +
            $"(hit rate {cut.HitRate:P0}; {all.Passed} of {all.AtOrAbove}, {all.HitRate:P0}, over the whole field). ") +
            string.Join("; ", ranking.Agreement.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Predictor}: Kendall {a.KendallTauB:0.###}, Spearman {a.SpearmanRho:0.###}"))) + ".";
    }

    private static string Interval(MetricResult? m) =>
        m is null || double.IsNaN(m.Lower) ? "" : string.Create(CultureInfo.InvariantCulture, $"[{m.Lower:0.###}, {m.Upper:0.###}]");
}
