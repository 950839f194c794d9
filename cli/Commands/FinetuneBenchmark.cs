namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using System.Diagnostics;
using PianoJudges.Data;
using PianoJudges.FineTuning;
using PianoJudges.Native;
using Spectre.Console;
using static TorchSharp.torch;

/// <summary>
/// `pianojudges bench finetune`: optimiser steps per second on this CPU for each objective at toy and real size, and
/// the hours the paper's runs would take here. Real-size steps are timed on a small micro-batch and scaled to the
/// recipe's batch (time taken as linear in the excerpts, the optimiser update included: a slight over-estimate).
/// </summary>
public sealed class FinetuneBenchmark : IBenchmark
{
    public string Name => "finetune";
    public string Description => "Fine-tuning steps per second (Audio-MAE, DAC; toy and real size) and the paper's full runs in hours on this CPU.";

    /// <summary>The paper's runs: Audio-MAE 64 epochs over ~2,000 h of piano in 10 s excerpts; DAC 25k iterations.</summary>
    private const double CorpusHours = 2000, MaeEpochs = 64, DacIterations = 25_000;

    public int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        AnsiConsole.MarkupLine($"libtorch {Markup.Escape(TorchRuntime.EnsureInitialised())}, {get_num_threads()} threads");
        var table = new Table().AddColumn("objective").AddColumn("size").AddColumn("micro-batch").AddColumn("s / step")
            .AddColumn("s / excerpt").AddColumn("recipe batch").AddColumn("s / recipe step");
        var perRecipeStep = new Dictionary<string, double>();
        foreach (var encoder in FineTuningObjectives.Names)
        foreach (var size in new[] { FineTuningSize.Toy, FineTuningSize.Real })
        {
            cancellationToken.ThrowIfCancellationRequested();
            int recipe = FineTuningObjectives.RecipeBatch(encoder, size);
            int micro = size == FineTuningSize.Toy ? recipe : 2;
            int timed = size == FineTuningSize.Toy ? 5 : 2;
            var (perStep, perExcerpt) = Time(encoder, size, micro, timed);
            double recipeStep = perExcerpt * recipe;
            perRecipeStep[$"{encoder}/{size}"] = recipeStep;
            table.AddRow(encoder, size.ToString(), micro.ToString(), $"{perStep:F3}", $"{perExcerpt:F3}", recipe.ToString(), $"{recipeStep:F1}");
        }
        AnsiConsole.Write(table);

        double maeExcerpts = CorpusHours * 3600 / 10 * MaeEpochs;
        double maeHours = maeExcerpts / FineTuningObjectives.RecipeBatch("audiomae", FineTuningSize.Real) * perRecipeStep["audiomae/Real"] / 3600;
        double dacHours = DacIterations * perRecipeStep["dac/Real"] / 3600;
        AnsiConsole.MarkupLine($"Paper's Audio-MAE run ({MaeEpochs} epochs x {CorpusHours:N0} h in 10 s excerpts = {maeExcerpts:N0} excerpts): about {maeHours:N0} h ({maeHours / 24:N0} days) on this CPU.");
        AnsiConsole.MarkupLine($"Paper's DAC run ({DacIterations:N0} iterations x batch {FineTuningObjectives.RecipeBatch("dac", FineTuningSize.Real)}): about {dacHours:N0} h ({dacHours / 24:N0} days) on this CPU.");
        return 0;
    }

    /// <summary>Seconds per optimiser step and per excerpt, after one untimed warm-up step.</summary>
    private static (double perStep, double perExcerpt) Time(string encoder, FineTuningSize size, int micro, int steps)
    {
        using var objective = FineTuningObjectives.Create(encoder, size, totalSteps: 1000, effectiveBatch: micro, CPU);
        var source = new NoiseExcerpts();
        var rng = new SplitMix64(1);
        objective.Step([source.Draw(new ExcerptRequest(ExcerptSampling.Uniform, 0, micro, 0, micro, objective.CropSamples), rng)], 10, rng);
        var clock = Stopwatch.StartNew();
        for (int s = 0; s < steps; s++) objective.Step([source.Draw(new ExcerptRequest(ExcerptSampling.Uniform, 0, micro, 0, micro, objective.CropSamples), rng)], 11 + s, rng);
        double perStep = clock.Elapsed.TotalSeconds / steps;
        return (perStep, perStep / micro);
    }

    /// <summary>Pink-ish noise excerpts: the step cost does not depend on the audio.</summary>
    private sealed class NoiseExcerpts : IExcerptSource
    {
        public float[][] Draw(ExcerptRequest request, SplitMix64 rng) =>
            Enumerable.Range(0, request.Count).Select(_ =>
            {
                var x = new float[request.Samples];
                double y = 0;
                for (int i = 0; i < request.Samples; i++) x[i] = (float)(y = 0.95 * y + 0.05 * (rng.NextDouble() * 2 - 1));
                return x;
            }).ToArray();
    }
}
