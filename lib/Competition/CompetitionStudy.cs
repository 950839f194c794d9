using System.Diagnostics;
using PianoJudges.Metrics;
using PianoJudges.Probing;

namespace PianoJudges.Competition;

/// <summary>Settings of the competition study (paper section 5.1.1).</summary>
/// <param name="Aggregation">How the parts of a pair decide it: the paper's majority vote, or the mean probability.</param>
/// <param name="Fitting">Fitting experiments to run (null: both, by candidate and faithful; empty: none).</param>
/// <param name="FitEpochs">Epochs of continued training on the fitting half (the paper: 5).</param>
/// <param name="FitTrainFraction">Share of the candidates whose pairs are fitted on (the released split_ratio 0.5).</param>
/// <param name="SplitSeed">Seed of the by-candidate split.</param>
/// <param name="WinCounting">Win counts as corrected, or as the released code (a candidate's wins lost when it never wins in one position).</param>
/// <param name="Training">Learning rate, batch, weight decay, seed, device and memory budget of fitting and inference (null: <see cref="ProbePresets.Ranking"/>).</param>
/// <param name="SimulatedRounds">Round sizes of the simulated competition (null: the real ones of the field).</param>
/// <param name="Bootstrap">Intervals of accuracy and F1.</param>
public sealed record CompetitionStudyOptions(
    PartAggregation Aggregation = PartAggregation.MajorityVote,
    IReadOnlyList<FittingSplitMode>? Fitting = null,
    int FitEpochs = CompetitionStudyOptions.PaperFitEpochs,
    double FitTrainFraction = FittingSplit.ReleasedTrainFraction,
    ulong SplitSeed = 13,
    WinCountMode WinCounting = WinCountMode.Corrected,
    ProbeTrainingOptions? Training = null,
    IReadOnlyList<int>? SimulatedRounds = null,
    BootstrapOptions? Bootstrap = null)
{
    /// <summary>The paper fits for 5 epochs (the released ranking.py's fit_test trainer has max_epochs 30 in one version).</summary>
    public const int PaperFitEpochs = 5;

    public IReadOnlyList<FittingSplitMode> FittingModes => Fitting ?? [FittingSplitMode.ByCandidate, FittingSplitMode.Faithful];
    public ProbeTrainingOptions TrainingOrDefault => Training ?? ProbePresets.Ranking;
}

/// <summary>What the study is run on.</summary>
/// <param name="Encoder">Encoder whose embeddings the parts are.</param>
/// <param name="Parts">Source of the part embeddings (ids <see cref="Entrant.PartId"/>).</param>
/// <param name="Model">The trained expertise-ranking head (2 recordings concatenated along time).</param>
/// <param name="ModelOrigin">Where the model came from (checkpoint path, training run), for the record.</param>
public sealed record CompetitionStudyInput(string Encoder, CompetitionField Field, IEmbeddingSource Parts, AudioCNNTransformer Model, string ModelOrigin);

/// <summary>Names of the study's settings, as rows of Table 4.</summary>
public static class StudySettings
{
    public const string WithoutFitting = "without fitting";
    public const string WithoutFittingOnByCandidateTest = "without fitting (by-candidate test pairs)";
    public static string WithFitting(FittingSplitMode mode) => mode == FittingSplitMode.ByCandidate ? "with fitting (by candidate)" : "with fitting (faithful)";
}

/// <summary>One pair's aggregated decision.</summary>
/// <param name="Parts">Parts compared.</param>
/// <param name="FirstVotes">Parts whose argmax said the first candidate is better.</param>
/// <param name="MeanFirstProbability">Mean over parts of P(first better).</param>
public sealed record PairOutcome(int First, int Second, int Label, int Predicted, int Parts, int FirstVotes, double MeanFirstProbability);

/// <summary>One setting: which pairs were fitted on and tested, and how the model did.</summary>
public sealed record SettingResult(
    string Setting,
    FittingSplitMode? Fitting,
    int[] TrainCandidates,
    int[] TestCandidates,
    int TrainPairs,
    int EqualScorePairsExcluded,
    IReadOnlyList<FitEpoch> FitCurve,
    MetricResult Accuracy,
    MetricResult F1,
    IReadOnlyList<PairOutcome> Pairs);

/// <summary>A row of Table 4: ours beside the paper's (null where we do not have the paper's number).</summary>
public sealed record Table4Row(string Encoder, string Setting, int Candidates, int Pairs, int TrainPairs,
    double Accuracy, double F1, double? PaperAccuracy, double? PaperF1);

/// <summary>A candidate's place in the model's ranking.</summary>
/// <param name="Wins">Pairs won over all predicted pairs, both orders (<see cref="WinCounts.Count"/>).</param>
/// <param name="Games">Pairs the candidate appeared in.</param>
/// <param name="Rank">1-based place by wins (ties: lower id first).</param>
/// <param name="Strength">Bradley-Terry log-strength; <paramref name="StrengthSe"/> its standard error.</param>
/// <param name="SimulatedRoundsPassed">Rounds passed in the competition replayed from the predictions.</param>
/// <param name="WithinHalf">Ranked in the top half of the field (Figure 2's cut-off).</param>
public sealed record EntrantOutcome(int Id, string Name, int Score, int? Prize, int Parts, int Wins, int Games, double WinRate,
    int Rank, double Strength, double StrengthSe, int StrengthRank, int SimulatedRoundsPassed, bool WithinHalf);

/// <summary>Rank agreement of a predicted score with the real rounds passed.</summary>
public sealed record RankAgreement(string Predictor, double KendallTauB, double SpearmanRho);

/// <summary>The model's ranking of the whole field from one setting's predictions, and how it compares with the jury.</summary>
/// <param name="HitRate">The paper's Figure 2 (passed = at least one round passed).</param>
/// <param name="Simulation">The competition replayed round by round from the predictions (<see cref="CompetitionSimulation"/>).</param>
public sealed record CompetitionRanking(
    string Setting,
    IReadOnlyList<EntrantOutcome> Entrants,
    HitRateCurve HitRate,
    IReadOnlyList<RankAgreement> Agreement,
    int BradleyTerryIterations,
    bool BradleyTerryConverged,
    SimulatedCompetition Simulation,
    CompetitionComparison SimulationVsReal);

/// <summary>The field as the study saw it.</summary>
/// <param name="EqualScorePairsExcluded">Ordered pairs of candidates with equal scores, left out: Eq. 1 gives them no 2-way label.</param>
public sealed record FieldSummary(string Manifest, string ManifestHash, int Candidates, int[] ScoreCounts, int[] RoundSizes,
    IReadOnlyList<ExcludedRow> Excluded, int OrderedPairs, int EqualScorePairsExcluded, string EqualScoreReason);

/// <summary>The study's configuration as recorded with its results.</summary>
public sealed record CompetitionStudyConfig(string Encoder, string ModelOrigin, string ModelHead, string Aggregation,
    IReadOnlyList<string> Fitting, int FitEpochs, double FitTrainFraction, ulong SplitSeed, long TrainingSeed, double LearningRate,
    int BatchSize, double WeightDecay, string WinCounting, int[] SimulatedRounds);

/// <summary>Everything the study found.</summary>
/// <param name="Ranking">Rankings of the whole field: without fitting, and with faithful fitting when run (its test is every pair).</param>
public sealed record CompetitionStudyResult(
    CompetitionStudyConfig Config,
    FieldSummary Field,
    IReadOnlyList<SettingResult> Settings,
    IReadOnlyList<Table4Row> Table4,
    IReadOnlyList<CompetitionRanking> Ranking,
    double Seconds);

/// <summary>
/// The paper's Chopin Competition case study (section 5.1.1, Table 4 and Figure 2): every ordered pair of candidates with
/// different scores is judged part by part by the expertise-ranking model, parts are aggregated, and the decisions are
/// scored (accuracy, F1), counted into wins, ranked, and replayed as a competition.
/// </summary>
public static class CompetitionStudy
{
    public const string EqualScoreReason = "both candidates passed the same number of rounds: Eq. 1 gives an equal pair no 2-way label";

    public static CompetitionStudyResult Run(CompetitionStudyInput input, CompetitionStudyOptions? options = null,
        IProgress<(int Done, int Total, string Item)>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new CompetitionStudyOptions();
        var clock = Stopwatch.StartNew();
        var field = input.Field;
        if (field.Count < 2) throw new ArgumentException($"{field.ManifestName}: {field.Count} candidate(s) with audio; the study needs at least 2");
        var entrants = field.Entrants;
        int[] scores = field.Scores;
        var training = options.TrainingOrDefault;
        var all = CompetitionPairs.Build(scores);
        if (all.Pairs.Length == 0) throw new ArgumentException($"{field.ManifestName}: every candidate has the same score, so there is no pair to judge");

        var settings = new List<SettingResult>();
        var rankings = new List<CompetitionRanking>();

        var baseProbabilities = PairwiseRanker.PartProbabilities(input.Model, all.Pairs, entrants, input.Parts, training,
            Stage(progress, StudySettings.WithoutFitting), cancellationToken);
        var baseOutcomes = Outcomes(all.Pairs, baseProbabilities, options.Aggregation);
        var allIds = Enumerable.Range(0, field.Count).ToArray();
        settings.Add(Setting(StudySettings.WithoutFitting, null, [], allIds, 0, all.EqualScorePairsExcluded, [], baseOutcomes, options));
        rankings.Add(Rank(StudySettings.WithoutFitting, field, baseOutcomes, options));

        foreach (var mode in options.FittingModes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string name = StudySettings.WithFitting(mode);
            var split = FittingSplit.Create(scores, mode, options.FitTrainFraction, options.SplitSeed);
            var curve = new List<FitEpoch>();
            var epochs = new EpochProgress(e =>
            {
                curve.Add(e);
                progress?.Report((e.Epoch, options.FitEpochs, $"{name}: fitting epoch {e.Epoch}/{options.FitEpochs}, loss {e.TrainLoss:F4}"));
            });
            progress?.Report((0, options.FitEpochs, $"{name}: fitting on {split.Train.Pairs.Length} pairs of {split.TrainCandidates.Length} candidates"));
            using var fitted = PairwiseRanker.ContinueTraining(input.Model, split.Train.Pairs, entrants, input.Parts, training, options.FitEpochs,
                epochs, cancellationToken);
            var probabilities = PairwiseRanker.PartProbabilities(fitted, split.Test.Pairs, entrants, input.Parts, training,
                Stage(progress, name), cancellationToken);
            var outcomes = Outcomes(split.Test.Pairs, probabilities, options.Aggregation);
            if (mode == FittingSplitMode.ByCandidate)
            {
                // The unfitted model on the same test pairs: what fitting changed, without the change of test set.
                var testKeys = split.Test.Pairs.Select(p => (p.First, p.Second)).ToHashSet();
                var baseline = baseOutcomes.Where(o => testKeys.Contains((o.First, o.Second))).ToArray();
                settings.Add(Setting(StudySettings.WithoutFittingOnByCandidateTest, null, [], split.TestCandidates, 0,
                    split.Test.EqualScorePairsExcluded, [], baseline, options));
            }
            settings.Add(Setting(name, mode, split.TrainCandidates, split.TestCandidates, split.Train.Pairs.Length,
                split.Test.EqualScorePairsExcluded, curve, outcomes, options));
            if (split.TestCandidates.Length == field.Count) rankings.Add(Rank(name, field, outcomes, options));
        }

        var table = settings.Select(s =>
        {
            var paper = PaperTable4.Lookup(input.Encoder, s.Fitting is null && s.Setting == StudySettings.WithoutFitting ? PaperTable4.Setting.WithoutFitting
                : s.Fitting is not null ? PaperTable4.Setting.WithFitting : null);
            return new Table4Row(input.Encoder, s.Setting, s.TestCandidates.Length, s.Pairs.Count, s.TrainPairs,
                s.Accuracy.Value, s.F1.Value, paper?.Accuracy, paper?.F1);
        }).ToArray();

        var config = new CompetitionStudyConfig(input.Encoder, input.ModelOrigin, input.Model.Config.ToString(), options.Aggregation.ToString(),
            options.FittingModes.Select(m => m.ToString()).ToArray(), options.FitEpochs, options.FitTrainFraction, options.SplitSeed,
            training.Seed, training.LearningRate, training.BatchSize, training.WeightDecay, options.WinCounting.ToString(),
            (options.SimulatedRounds ?? field.RoundSizes).ToArray());
        var summary = new FieldSummary(field.ManifestName, field.ManifestHash, field.Count, field.ScoreCounts, field.RoundSizes, field.Excluded,
            all.Pairs.Length, all.EqualScorePairsExcluded, EqualScoreReason);
        return new CompetitionStudyResult(config, summary, settings, table, rankings, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Aggregates each pair's per-part probabilities into its 2-way decision.</summary>
    public static PairOutcome[] Outcomes(IReadOnlyList<CandidatePair> pairs, IReadOnlyList<double[,]> partProbabilities, PartAggregation aggregation)
    {
        if (pairs.Count != partProbabilities.Count)
            throw new ArgumentException($"{pairs.Count} pairs but {partProbabilities.Count} probability matrices");
        var result = new PairOutcome[pairs.Count];
        for (int k = 0; k < pairs.Count; k++)
        {
            var m = partProbabilities[k];
            int parts = m.GetLength(0), classes = m.GetLength(1);
            int firstVotes = 0;
            double meanFirst = 0;
            for (int i = 0; i < parts; i++)
            {
                int best = 0;
                double total = 0, first = 0;
                for (int c = 0; c < classes; c++)
                {
                    if (m[i, c] > m[i, best]) best = c;
                    total += m[i, c];
                    if (PartAggregator.ToTwoWay(c, classes) == PairLabel.FirstBetter) first += m[i, c];
                }
                if (PartAggregator.ToTwoWay(best, classes) == PairLabel.FirstBetter) firstVotes++;
                meanFirst += total > 0 ? first / total : 0.5;
            }
            var p = pairs[k];
            result[k] = new PairOutcome(p.First, p.Second, p.Label, PartAggregator.Aggregate(m, aggregation), parts, firstVotes,
                parts == 0 ? double.NaN : meanFirst / parts);
        }
        return result;
    }

    /// <summary>
    /// Wins, Bradley-Terry strengths, the hit-rate curve, rank agreement with the jury and the replayed competition, from
    /// predictions that cover the whole field.
    /// </summary>
    public static CompetitionRanking Rank(string setting, CompetitionField field, IReadOnlyList<PairOutcome> outcomes, CompetitionStudyOptions options)
    {
        int n = field.Count;
        var predictions = outcomes.Select(o => new PairPrediction(o.First, o.Second, o.Predicted)).ToArray();
        int[] wins = WinCounts.Count(n, predictions, options.WinCounting);
        int[] games = WinCounts.Appearances(n, predictions);
        int[] order = WinCounts.Ranking(wins);
        var rank = new int[n];
        for (int k = 0; k < n; k++) rank[order[k]] = k + 1;
        var bt = BradleyTerry.Fit(n, BradleyTerry.Games(predictions));
        var btRank = new int[n];
        var btOrder = bt.Ranking;
        for (int k = 0; k < n; k++) btRank[btOrder[k]] = k + 1;
        int[] scores = field.Scores;
        var curve = WinCounts.HitRate(wins, scores.Select(s => s >= 1).ToArray());
        var rounds = (options.SimulatedRounds ?? field.RoundSizes).ToArray();
        if (rounds.Length == 0) rounds = [Math.Max(1, (n + 1) / 2)];
        var simulation = CompetitionSimulation.Simulate(n, predictions, rounds, options.WinCounting, Enumerable.Range(0, n).ToArray());
        var comparison = CompetitionSimulation.Compare(simulation.RoundsPassed, scores);
        var winRate = wins.Select((w, c) => games[c] == 0 ? 0 : (double)w / games[c]).ToArray();
        var entrants = field.Entrants.Select(e => new EntrantOutcome(e.Id, e.Name, e.Score, e.Prize, e.Parts, wins[e.Id], games[e.Id], winRate[e.Id],
            rank[e.Id], bt.LogStrength[e.Id], bt.StandardError[e.Id], btRank[e.Id], simulation.RoundsPassed[e.Id], wins[e.Id] >= curve.CutoffThreshold)).ToArray();
        var agreement = new[]
        {
            Agreement("wins", wins.Select(w => (double)w).ToArray(), scores),
            Agreement("win rate (wins / games)", winRate, scores),
            Agreement("Bradley-Terry strength", bt.LogStrength, scores),
            new RankAgreement("simulated rounds passed", comparison.KendallTauB, comparison.SpearmanRho),
        };
        return new CompetitionRanking(setting, entrants, curve, agreement, bt.Iterations, bt.Converged, simulation, comparison);
    }

    private static RankAgreement Agreement(string name, double[] predicted, int[] scores)
    {
        var real = scores.Select(s => (double)s).ToArray();
        return new RankAgreement(name, RankCorrelation.KendallTauB(predicted, real), RankCorrelation.SpearmanRho(predicted, real));
    }

    private static SettingResult Setting(string name, FittingSplitMode? mode, int[] train, int[] test, int trainPairs, int equalExcluded,
        IReadOnlyList<FitEpoch> curve, IReadOnlyList<PairOutcome> outcomes, CompetitionStudyOptions options)
    {
        int[] truth = outcomes.Select(o => o.Label).ToArray();
        int[] predicted = outcomes.Select(o => o.Predicted).ToArray();
        MetricResult accuracy, f1;
        if (truth.Length == 0)
            accuracy = f1 = MetricResult.PointOnly(double.NaN, 0);
        else
        {
            accuracy = Bootstrap.Multiclass(truth, predicted, (t, p) => Multiclass.Accuracy(t, p), options.Bootstrap);
            f1 = Bootstrap.Multiclass(truth, predicted, (t, p) => Multiclass.MacroF1(t, p, 2), options.Bootstrap);
        }
        return new SettingResult(name, mode, train, test, trainPairs, equalExcluded, curve, accuracy, f1, outcomes);
    }

    private static IProgress<(int Done, int Total, string Item)>? Stage(IProgress<(int Done, int Total, string Item)>? progress, string stage) =>
        progress is null ? null : new StageProgress(progress, stage);

    private sealed class StageProgress(IProgress<(int Done, int Total, string Item)> inner, string stage) : IProgress<(int Done, int Total, string Item)>
    {
        public void Report((int Done, int Total, string Item) value) =>
            inner.Report((value.Done, value.Total, string.IsNullOrEmpty(value.Item) ? stage : $"{stage}: {value.Item}"));
    }

    private sealed class EpochProgress(Action<FitEpoch> report) : IProgress<FitEpoch>
    {
        public void Report(FitEpoch value) => report(value);
    }
}
