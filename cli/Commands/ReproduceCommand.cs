namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using System.Diagnostics;
using PianoJudges.Audio;
using PianoJudges.Encoders;
using PianoJudges.Probing;
using PianoJudges.Reporting;
using PianoJudges.Synthesis;
using Spectre.Console;

/// <summary>
/// `pianojudges reproduce`: the main job. On the embedded default it generates PLD-synth, computes the
/// embeddings, trains and evaluates every task (Table 3) and writes one offline HTML report. Every step
/// reuses what earlier runs left (samples, audio, embeddings, finished training runs), so a re-run is fast.
/// </summary>
public sealed class ReproduceCommand : ICliCommand
{
    public Command Build()
    {
        var size = new Option<string>("--size") { Description = "PLD-synth size: tiny, small (default), paper.", DefaultValueFactory = _ => PldSynthSizes.Small };
        size.AcceptOnlyFromAmong([.. PldSynthSizes.All]);
        var seed = new Option<ulong>("--seed") { Description = "PLD-synth seed.", DefaultValueFactory = _ => PldSynthConfig.DefaultSeed };
        var encoders = new Option<string[]>("--encoder") { Description = "Encoders to embed and probe (default: spectrogram; the others need --weights via 'pianojudges embed').", AllowMultipleArgumentsPerToken = true };
        var finetuned = new Option<string[]>("--finetuned")
        {
            Description = "Fine-tuning runs ('pianojudges finetune' folders, or their encoder.safetensors) to embed and probe too: rows audiomae-ft / dac-ft beside the pretrained ones; repeatable.",
            AllowMultipleArgumentsPerToken = true,
        };
        var profile = new Option<string?>("--profile") { Description = "Training profile (default: the size's: tiny, small; paper for the paper size)." };
        var output = new Option<string?>("--out") { Description = "Report path (default: <data>/reports/pld-synth-<size>/report.html)." };
        var competition = new Option<bool>("--competition")
        {
            Description = "Also run the Chopin Competition case study on the synthetic competition (Table 4, Figure 2); long on a CPU: about an hour for 40 candidates at small.",
        };
        var cmd = new Command("reproduce", "The main job: PLD-synth -> embeddings -> Table 3 -> an offline HTML report, reusing every cache.");
        foreach (var o in new Option[] { size, seed, encoders, finetuned, profile, output, competition }) cmd.Options.Add(o);
        cmd.SetAction((parse, ct) =>
        {
            var paths = GlobalOptions.Paths(parse);
            string sizeName = parse.GetValue(size)!;
            var probeProfile = ProbeProfile.ByName(parse.GetValue(profile) ?? (sizeName == PldSynthSizes.Paper ? "paper" : sizeName));
            var encoderNames = parse.GetValue(encoders) is { Length: > 0 } e ? e : [EncoderRegistry.Spectrogram];
            var runs = new List<(string Weights, PianoJudges.Encoders.FineTunedCheckpoint Checkpoint)>();
            foreach (var run in parse.GetValue(finetuned) ?? [])
            {
                var file = PianoJudges.Encoders.FineTunedCheckpoint.Locate(run);
                var meta = file is null ? null : PianoJudges.Encoders.FineTunedCheckpoint.Read(file);
                if (meta is null)
                {
                    AnsiConsole.MarkupLine($"[red]--finetuned {Markup.Escape(run)}: not a fine-tuning run (no {PianoJudges.Encoders.FineTunedCheckpoint.FileName} with fine-tuning metadata)[/]");
                    return Task.FromResult(2);
                }
                runs.Add((file!, meta));
            }
            var clock = Stopwatch.StartNew();
            var report = new MainReport($"PianoJudges.NET: PLD-synth {sizeName}",
                $"Reproduction of *From Audio Encoders to Piano Judges* (Zhang, Liang & Dixon, ISMIR 2024) on the embedded " +
                $"synthetic dataset PLD-synth `{sizeName}` (seed {parse.GetValue(seed)}), training profile `{probeProfile.Name}`, " +
                $"encoders: {string.Join(", ", encoderNames.Concat(runs.Select(r => $"{r.Checkpoint.EmbeddingName} ({r.Checkpoint.Size}, {r.Checkpoint.StepsDone} steps)")))}. Data folder: `{paths.Root}`.");

            var step = Stopwatch.StartNew();
            var config = PldSynthConfig.ForSize(sizeName, parse.GetValue(seed));
            SynthCommand.Generate(paths, config, competition: false, ct);
            report.Step("PLD-synth", step.Elapsed);

            var dataset = ProbeDataset.PldSynth(paths, sizeName);
            var manifests = DatasetEmbedding.ManifestsOf(dataset).ToList();
            int status = 0;
            var caches = new List<PianoJudges.Data.EmbeddingCache>();
            foreach (var encoder in encoderNames)
            {
                step.Restart();
                var (code, cache) = EmbedCommand.EmbedManifests(paths, encoder, new EncoderOptions(WeightsDirectory: paths.Weights), manifests, dataset.AudioRoot, SegmentingOptions.Paper, ShardSpec.All, float16: false, ct);
                status |= code;
                caches.Add(cache);
                report.Step($"embeddings: {encoder}", step.Elapsed);
            }
            foreach (var (weights, meta) in runs)
            {
                step.Restart();
                var (code, cache) = EmbedCommand.EmbedManifests(paths, meta.Encoder, new EncoderOptions(Weights: weights, WeightsDirectory: paths.Weights), manifests, dataset.AudioRoot, SegmentingOptions.Paper, ShardSpec.All, float16: false, ct);
                status |= code;
                caches.Add(cache);
                report.Step($"embeddings: {meta.EmbeddingName} ({weights})", step.Elapsed);
            }

            step.Restart();
            var table3 = Table3Command.RunWithProgress(paths, dataset, new Table3Options(Profile: probeProfile, Caches: caches), ct);
            report.Step("Table 3 (training and evaluation)", step.Elapsed);
            var table3Files = Table3Report.Write(table3, table3.RunsDirectory);
            AnsiConsole.Write(Table3Command.ToSpectre(Table3Report.Headline(table3)));

            report.Data(dataset).Probing(table3);
            if (parse.GetValue(competition))
            {
                step.Restart();
                var options = CompetitionViews.NotebookOptions(sizeName == PldSynthSizes.Tiny ? NotebookSize.Tiny
                    : sizeName == PldSynthSizes.Small ? NotebookSize.Small : NotebookSize.Full) with { Encoder = encoderNames[0] };
                var logs = new List<string>();
                var study = CliProgress.Run("competition", p => PianoJudges.Competition.CompetitionWorkflow.Run(paths, options, p, logs.Add, ct));
                foreach (var line in logs) AnsiConsole.MarkupLine(Markup.Escape(line));
                report.Competition(study.Study);
                report.Step("competition study", step.Elapsed);
            }
            report.Step("total", clock.Elapsed);
            string path = parse.GetValue(output) ?? Path.Combine(paths.Reports, dataset.Name, "report.html");
            report.Save(path, new { size = sizeName, seed = parse.GetValue(seed), profile = probeProfile, encoders = encoderNames, finetuned = runs.Select(r => r.Weights).ToArray(), data = paths.Root });

            var where = new Spectre.Console.Table().AddColumn("what").AddColumn("where");
            where.AddRow("report", Markup.Escape(path));
            where.AddRow("Table 3", Markup.Escape(string.Join(", ", table3Files)));
            where.AddRow("training runs", Markup.Escape(table3.RunsDirectory));
            where.AddRow("embeddings", Markup.Escape(paths.EmbeddingCache));
            where.AddRow("PLD-synth", Markup.Escape(paths.PldSynth(sizeName)));
            AnsiConsole.Write(where);
            AnsiConsole.MarkupLine($"Done in {clock.Elapsed.TotalMinutes:F1} min.");
            return Task.FromResult(status);
        });
        return cmd;
    }
}
