namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using PianoJudges.Competition;
using PianoJudges.Encoders;
using PianoJudges.Probing;
using PianoJudges.Synthesis;
using Spectre.Console;

/// <summary>`pianojudges competition`: the Chopin Competition case study (paper section 5.1.1, Table 4 and Figure 2).</summary>
public sealed class CompetitionCommand : ICliCommand
{
    public Command Build()
    {
        var synthetic = new Option<bool>("--synthetic") { Description = "Use the synthetic competition from PLD-synth (the default when no --manifest is given)." };
        var manifest = new Option<string?>("--manifest") { Description = "A real competition: icpc2015 or a manifest CSV path (needs --audio-root)." };
        var audioRoot = new Option<string?>("--audio-root") { Description = "Folder with the competition's recordings (<audio_id>.<ext>, or under icpc2015/)." };
        var encoders = new Option<string[]>("--encoder") { Description = $"Encoder(s): {string.Join(", ", EncoderRegistry.Names)}; repeatable.", DefaultValueFactory = _ => [EncoderRegistry.Spectrogram], AllowMultipleArgumentsPerToken = true };
        var size = new Option<string>("--size") { Description = "PLD-synth size of the expertise data and of the synthetic competition: tiny, small, paper.", DefaultValueFactory = _ => PldSynthSizes.Small };
        size.AcceptOnlyFromAmong([.. PldSynthSizes.All]);
        var candidates = new Option<int?>("--candidates") { Description = "Field size of the synthetic competition (default: the size's, 137 for small and paper as in the paper)." };
        var fit = new Option<string>("--fit") { Description = "Fitting experiments: both (default), by-candidate, faithful (as the released code: train on the first half, test on all pairs), none.", DefaultValueFactory = _ => "both" };
        fit.AcceptOnlyFromAmong("both", "by-candidate", "faithful", "none");
        var aggregate = new Option<string>("--aggregate") { Description = "How parts decide a pair: vote (the paper's majority vote) or mean (mean probability).", DefaultValueFactory = _ => "vote" };
        aggregate.AcceptOnlyFromAmong("vote", "mean");
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Weights of a trained 2-way expertise-ranking head (a probe run's best.pt); default: train one on PLD-synth expertise (resumable)." };
        var epochs = new Option<int>("--epochs") { Description = "Most epochs of expertise-model training.", DefaultValueFactory = _ => 30 };
        var fitEpochs = new Option<int>("--fit-epochs") { Description = "Epochs of fitting on half the candidates (the paper: 5).", DefaultValueFactory = _ => CompetitionStudyOptions.PaperFitEpochs };
        var lr = new Option<double?>("--lr") { Description = "Learning rate of training and fitting (default: the paper's 5e-5)." };
        var winCounts = new Option<string>("--win-counts") { Description = "corrected (default) or faithful (the released code's NaN -> 0 sum).", DefaultValueFactory = _ => "corrected" };
        winCounts.AcceptOnlyFromAmong("corrected", "faithful");
        var segmentsPerPart = new Option<int>("--segments-per-part") { Description = "10 s segments per part (the paper: 30 = 5 minutes).", DefaultValueFactory = _ => 30 };
        var device = new Option<string?>("--device") { Description = "cpu or cuda (default: cuda when available)." };
        var threads = new Option<int?>("--threads") { Description = "torch threads." };
        var output = new Option<string?>("--out") { Description = "Results folder (default: runs/competition/<competition>/<encoder>-<aggregation> in the data folder)." };
        var float16 = new Option<bool>("--float16") { Description = "Store part embeddings as float16." };

        var cmd = new Command("competition", "The Chopin Competition case study: rank a competition's candidates pair by pair with the expertise model (Table 4, Figure 2).");
        foreach (var o in new Option[] { synthetic, manifest, audioRoot, encoders, size, candidates, fit, aggregate, checkpoint, epochs, fitEpochs, lr, winCounts, segmentsPerPart, device, threads, output, float16 })
            cmd.Options.Add(o);
        cmd.SetAction((parse, ct) =>
        {
            var paths = GlobalOptions.Paths(parse);
            string? manifestName = parse.GetValue(manifest);
            if (manifestName is not null && parse.GetValue(synthetic))
                throw new ArgumentException("give either --synthetic or --manifest, not both");
            string sizeName = parse.GetValue(size)!;
            CompetitionConfig? syntheticConfig = null;
            if (manifestName is null && parse.GetValue(candidates) is int n)
                syntheticConfig = CompetitionConfig.ForSize(sizeName) is var c && n != c.Candidates ? c with { Name = $"{c.Name}-{n}", Candidates = n } : c;
            var training = ProbePresets.Ranking with { Device = parse.GetValue(device), Threads = parse.GetValue(threads) };
            if (parse.GetValue(lr) is double rate) training = training with { LearningRate = rate };
            var fitModes = parse.GetValue(fit) switch
            {
                "by-candidate" => new[] { FittingSplitMode.ByCandidate },
                "faithful" => [FittingSplitMode.Faithful],
                "none" => [],
                _ => [FittingSplitMode.ByCandidate, FittingSplitMode.Faithful],
            };
            var study = new CompetitionStudyOptions(
                Aggregation: parse.GetValue(aggregate) == "mean" ? PartAggregation.MeanProbability : PartAggregation.MajorityVote,
                Fitting: fitModes,
                FitEpochs: parse.GetValue(fitEpochs),
                WinCounting: parse.GetValue(winCounts) == "faithful" ? WinCountMode.Faithful : WinCountMode.Corrected,
                Training: training);

            var results = new List<CompetitionWorkflowResult>();
            foreach (var encoder in parse.GetValue(encoders)!)
            {
                var options = new CompetitionWorkflowOptions(
                    Encoder: encoder, Size: sizeName, Manifest: manifestName, AudioRoot: parse.GetValue(audioRoot), Synthetic: syntheticConfig,
                    Checkpoint: parse.GetValue(checkpoint), ExpertiseEpochs: parse.GetValue(epochs), ExpertiseTraining: training,
                    Parts: PartOptions.Paper with { SegmentsPerPart = parse.GetValue(segmentsPerPart) }, Study: study,
                    OutputDirectory: parse.GetValue(output) is { } o ? Path.Combine(o, encoder) : null, Float16: parse.GetValue(float16));
                AnsiConsole.MarkupLine($"[bold]Competition study[/]: {Markup.Escape(manifestName ?? $"synthetic ({sizeName})")}, encoder [bold]{Markup.Escape(encoder)}[/]");
                var logs = new List<string>();
                var result = CliProgress.Run($"competition ({encoder})", p => CompetitionWorkflow.Run(paths, options, p, logs.Add, ct));
                foreach (var line in logs) AnsiConsole.MarkupLine(Markup.Escape(line));
                Print(result);
                results.Add(result);
            }
            PrintTable4(results.SelectMany(r => r.Study.Table4).ToList());
            return Task.FromResult(0);
        });
        return cmd;
    }

    private static string F(double v) => double.IsNaN(v) ? "-" : v.ToString("0.000", CultureInfo.InvariantCulture);
    private static string F(double? v) => v is double d ? F(d) : "n/a";

    private static void Print(CompetitionWorkflowResult result)
    {
        var s = result.Study;
        var f = s.Field;
        AnsiConsole.MarkupLine($"Manifest [bold]{Markup.Escape(f.Manifest)}[/] (sha256 {f.ManifestHash[..12]}…): {f.Candidates} candidates with audio.");
        AnsiConsole.MarkupLine("Candidates by rounds passed (manifest): " + string.Join(", ", f.ScoreCounts.Select((c, k) => $"{k}: {c}")) +
                               "; round sizes (passed at least k rounds): " + string.Join(" / ", f.RoundSizes));
        var noAudio = f.Excluded.Where(e => e.Score is not null).ToList();
        if (noAudio.Count > 0)
            AnsiConsole.MarkupLine($"[yellow]{noAudio.Count} candidates without audio[/]: " + Markup.Escape(string.Join(", ", noAudio.Take(30).Select(e => $"{e.Name} ({e.Score})"))) + (noAudio.Count > 30 ? " …" : ""));
        int noScore = f.Excluded.Count(e => e.Score is null);
        if (noScore > 0) AnsiConsole.MarkupLine($"[yellow]{noScore} rows without a score left out[/]");
        AnsiConsole.MarkupLine($"Pairs: {f.OrderedPairs} ordered pairs judged; {f.EqualScorePairsExcluded} excluded ({Markup.Escape(f.EqualScoreReason)}).");
        AnsiConsole.MarkupLine($"Parts: {result.PartEmbedding.Computed} recordings embedded, {result.PartEmbedding.Cached} from the cache, {result.PartEmbedding.Failures.Count} failed.");
        AnsiConsole.MarkupLine($"Model: {Markup.Escape(result.Model.Origin)}" + (result.Model.TestAccuracy is double t ? $" (PLD-synth expertise test accuracy {t:P1})" : ""));

        foreach (var r in s.Ranking)
        {
            AnsiConsole.MarkupLine($"\n[bold]Ranking ({Markup.Escape(r.Setting)})[/]");
            var cut = r.HitRate.AtCutoff;
            AnsiConsole.MarkupLine($"Figure 2: at the cut-off (wins >= {cut.Threshold}, half the field) {cut.Passed} of {cut.AtOrAbove} passed the preliminary (hit rate {F(cut.HitRate)}); " +
                                   $"all candidates: {r.HitRate.Points[0].Passed} of {r.HitRate.Points[0].AtOrAbove} ({F(r.HitRate.Points[0].HitRate)}).");
            var curve = new Table().AddColumns("wins >=", "candidates", "passed", "hit rate");
            foreach (var p in r.HitRate.Points) curve.AddRow(p.Threshold.ToString(CultureInfo.InvariantCulture), p.AtOrAbove.ToString(CultureInfo.InvariantCulture), p.Passed.ToString(CultureInfo.InvariantCulture), F(p.HitRate) + (p.Threshold == cut.Threshold ? " (cut-off)" : ""));
            AnsiConsole.Write(curve);
            int top = r.Entrants.Max(e => e.Score);
            var landing = new Table().AddColumns("candidate", "rounds passed", "prize", "wins / games", "rank", "BT rank", "top half", "simulated rounds");
            foreach (var e in r.Entrants.Where(e => e.Score == top || e.Prize is not null).OrderBy(e => e.Prize ?? int.MaxValue).ThenBy(e => e.Rank))
                landing.AddRow(Markup.Escape(e.Name), e.Score.ToString(CultureInfo.InvariantCulture), e.Prize?.ToString(CultureInfo.InvariantCulture) ?? "", $"{e.Wins} / {e.Games}",
                    $"{e.Rank} of {r.Entrants.Count}", e.StrengthRank.ToString(CultureInfo.InvariantCulture), e.WithinHalf ? "yes" : "no", e.SimulatedRoundsPassed.ToString(CultureInfo.InvariantCulture));
            AnsiConsole.MarkupLine("Where the finalists and prize winners land:");
            AnsiConsole.Write(landing);
            AnsiConsole.MarkupLine("Agreement with the real rounds passed: " + string.Join("; ", r.Agreement.Select(a => $"{a.Predictor}: Kendall tau-b {F(a.KendallTauB)}, Spearman {F(a.SpearmanRho)}")));
            AnsiConsole.MarkupLine("Simulated competition vs real (passed at least k rounds: real / simulated / both): " +
                                   string.Join(", ", r.SimulationVsReal.Rounds.Select(a => $"{a.Round}: {a.Real}/{a.Simulated}/{a.Overlap}")));
        }
        AnsiConsole.MarkupLine($"\nResults ({result.Seconds:F0} s): {Markup.Escape(result.OutputDirectory)}");
        foreach (var file in result.Files) AnsiConsole.MarkupLine($"  {Markup.Escape(Path.GetFileName(file))}");
    }

    private static void PrintTable4(IReadOnlyList<Table4Row> rows)
    {
        var table = new Table().Title("Table 4: ICPC-2015 pair ranking (2-way)")
            .AddColumns("encoder", "setting", "candidates", "pairs", "train pairs", "accuracy", "F1", "paper accuracy", "paper F1");
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Encoder), Markup.Escape(r.Setting), r.Candidates.ToString(CultureInfo.InvariantCulture), r.Pairs.ToString(CultureInfo.InvariantCulture),
                r.TrainPairs.ToString(CultureInfo.InvariantCulture), F(r.Accuracy), F(r.F1), F(r.PaperAccuracy), F(r.PaperF1));
        var (acc, f1, n) = PaperTable4.ReleasedDac();
        table.AddRow("dac (released)", "authors' pairs_prediction.csv (setting not recorded)", PaperTable4.ReleasedDacCandidates.ToString(CultureInfo.InvariantCulture),
            n.ToString(CultureInfo.InvariantCulture), "", "", "", F(acc), F(f1));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]Paper values: n/a where Table 4's printed numbers could not be verified here (lib/Competition/PaperTable4.cs).[/]");
    }
}
