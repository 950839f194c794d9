namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using PianoJudges.FineTuning;
using PianoJudges.Native;
using Spectre.Console;
using static TorchSharp.torch;

/// <summary>
/// `pianojudges finetune`: continue an encoder's self-supervised training on piano audio (Audio-MAE's masked
/// reconstruction, DAC's codec objective), as the paper did before probing; writes encoder.safetensors (and the
/// starting weights, encoder-start.safetensors) with metadata that `embed --weights` reads to build the right model.
/// </summary>
public sealed class FinetuneCommand : ICliCommand
{
    public Command Build()
    {
        var encoder = new Option<string>("--encoder") { Description = "audiomae or dac.", Required = true };
        encoder.AcceptOnlyFromAmong([.. FineTuningObjectives.Names]);
        var corpus = new Option<string>("--corpus") { Description = "Folder of piano audio (scanned recursively), a list file (one path per line) or a manifest (.csv).", Required = true };
        var audioRoot = new Option<string?>("--audio-root") { Description = "For a manifest: the folder its audio lies in (default: the manifest's folder)." };
        var steps = new Option<long>("--steps") { Description = "Optimiser steps of the run.", Required = true };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var precision = new Option<string>("--precision")
        {
            Description = "fp32, bf16 or fp16 (with dynamic loss scaling): the number format of the passes; weights, optimiser and checkpoints stay fp32 (manual mixed precision: TorchSharp has no autocast).",
            DefaultValueFactory = _ => "fp32",
        };
        precision.AcceptOnlyFromAmong([.. TrainingPrecisions.Names]);
        var sampling = new Option<string>("--sampling")
        {
            Description = "original (the objective's release: Audio-MAE one 10 s clip per file per epoch, DAC audiotools' shuffled files with salient excerpts) or uniform (a random file, a random offset).",
            DefaultValueFactory = _ => "original",
        };
        sampling.AcceptOnlyFromAmong("original", "uniform");
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var size = new Option<string>("--size") { Description = "toy (a tiny model for teaching runs) or real (the original model and recipe).", DefaultValueFactory = _ => "toy" };
        size.AcceptOnlyFromAmong("toy", "real");
        var weights = new Option<string?>("--weights") { Description = "Starting weights: a models_mae checkpoint (Audio-MAE) or the codec .pth (DAC); default: random initialisation." };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its latest checkpoint (same seed, batch and steps)." };
        var output = new Option<string?>("--out") { Description = "Run folder (default: <data>/runs/finetune-<encoder>-<size>)." };
        var batch = new Option<int?>("--batch-size") { Description = "Excerpts per micro-batch (default: the recipe's batch for toy, 2 for real on a laptop)." };
        var accumulation = new Option<int>("--accumulation") { Description = "Micro-batches per optimiser step.", DefaultValueFactory = _ => 1 };
        var every = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => 100 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initialisation, the excerpts and the masks.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int?>("--threads") { Description = "Torch intra-op threads (default: torch's choice)." };

        var cmd = new Command("finetune", "Fine-tune Audio-MAE or DAC on piano audio with its original self-supervised objective.");
        foreach (var o in new Option[] { encoder, corpus, audioRoot, steps, device, precision, sampling, size, weights, resume, output, batch, accumulation, every, seed, threads })
            cmd.Options.Add(o);
        cmd.SetAction((parse, ct) =>
        {
            TorchRuntime.EnsureInitialised();
            if (parse.GetValue(threads) is int n) set_num_threads(n);
            string name = parse.GetValue(encoder)!;
            var sz = parse.GetValue(size) == "real" ? FineTuningSize.Real : FineTuningSize.Toy;
            var dev = parse.GetValue(device) == "cuda" ? CUDA : CPU;
            if (dev.type == TorchSharp.DeviceType.CUDA && !cuda.is_available())
            {
                AnsiConsole.MarkupLine("[red]--device cuda: no CUDA device is available to libtorch (this build ships the CPU libtorch).[/]");
                return Task.FromResult(2);
            }
            int micro = parse.GetValue(batch) ?? (sz == FineTuningSize.Toy ? FineTuningObjectives.RecipeBatch(name, sz) : 2);
            string outDir = parse.GetValue(output) ?? Path.Combine(GlobalOptions.Paths(parse).Runs, $"finetune-{name}-{parse.GetValue(size)}");
            var options = new FineTuneOptions(outDir, parse.GetValue(steps), micro, parse.GetValue(accumulation), parse.GetValue(every),
                parse.GetValue(seed), parse.GetValue(resume), Corpus: parse.GetValue(corpus),
                Sampling: parse.GetValue(sampling) == "uniform" ? ExcerptSampling.Uniform : null);
            FineTuner.SeedInitialisation(options.Seed);
            using var objective = FineTuningObjectives.Create(name, sz, options.Steps, micro * options.AccumulationSteps, dev, parse.GetValue(weights),
                TrainingPrecisions.Parse(parse.GetValue(precision)!));
            var audio = PianoCorpus.Open(parse.GetValue(corpus)!, objective.SampleRate, parse.GetValue(audioRoot));
            AnsiConsole.MarkupLine($"{Markup.Escape(name)} ({sz}) on {dev.type} in {objective.Precision.Name()}, sampling {Markup.Escape((options.Sampling ?? objective.Sampling).Describe())}: {audio.Files.Count} audio files, {audio.Skipped.Count} skipped; " +
                                   $"batch {micro} x {options.AccumulationSteps}, {options.Steps} steps -> {Markup.Escape(Path.GetFullPath(outDir))}");
            foreach (var note in audio.Skipped.Take(10)) AnsiConsole.MarkupLine($"[grey]skipped {Markup.Escape(note.Path)}: {Markup.Escape(note.Problem)}[/]");
            FineTuneResult? result = null;
            try
            {
                // Redrawn by the training thread after each step, not by a timer thread: TorchSharp 0.107 lets the GC finalise
                // temporary Scalars while libtorch still reads them, and a thread that allocates during the step invites a GC.
                AnsiConsole.Progress().AutoRefresh(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(ctx =>
                    {
                        var task = ctx.AddTask("steps", maxValue: options.Steps);
                        var progress = new SyncProgress(p =>
                        {
                            task.Value = p.StepsDone;
                            task.Description = $"step {p.StepsDone}: loss {p.Values["loss"].ToString("G4", CultureInfo.InvariantCulture)}, {p.StepsPerSecond:F3} steps/s";
                            ctx.Refresh();
                        });
                        result = FineTuner.Run(objective, audio, options, progress, ct);
                    });
            }
            catch (OperationCanceledException)
            {
                AnsiConsole.MarkupLine($"[yellow]Interrupted; the last finished step is checkpointed. Continue with --resume --out {Markup.Escape(outDir)}.[/]");
                return Task.FromResult(130);
            }
            if (audio.LongFiles > 0)
                AnsiConsole.MarkupLine($"[yellow]{audio.LongFiles} file(s) are longer than twice the excerpt; Audio-MAE's sampling reads only their start (cut long recordings into clips, or pass --sampling uniform).[/]");
            AnsiConsole.MarkupLine($"Done: steps {result!.StartStep}..{result.StepsDone}; log {Markup.Escape(result.LogPath)}; " +
                                   $"encoder weights {Markup.Escape(result.EncoderCheckpoint)}, starting weights {Markup.Escape(Path.Combine(Path.GetDirectoryName(result.EncoderCheckpoint)!, FineTuner.StartFile))}.");
            AnsiConsole.MarkupLine($"Probe them: pianojudges embed --encoder {name} --weights {Markup.Escape(Path.GetFullPath(outDir))} (cached as {name}-ft; " +
                                   $"--weights <run>/{FineTuner.StartFile} gives the before row, cached as {name}), then pianojudges table3.");
            return Task.FromResult(0);
        });
        return cmd;
    }

    private sealed class SyncProgress(Action<FineTuneProgress> report) : IProgress<FineTuneProgress>
    {
        public void Report(FineTuneProgress value) => report(value);
    }
}
