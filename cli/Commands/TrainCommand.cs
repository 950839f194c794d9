namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Encoders;
using PianoJudges.Probing;

/// <summary>`pianojudges train` and `pianojudges evaluate`: one task on one encoder's cached embeddings.</summary>
public sealed class TrainCommand : ICliCommand
{
    public Command Build() => Make("train", "Train the prediction head on one task (resumes an interrupted run), then evaluate it on the test split.", evaluateOnly: false);

    internal static Command Make(string name, string description, bool evaluateOnly)
    {
        var probe = new ProbeOptions();
        var task = new Option<string>("--task") { Description = $"One of {string.Join(", ", ProbeTaskNames.All)}.", Required = true };
        task.AcceptOnlyFromAmong([.. ProbeTaskNames.All]);
        var encoder = new Option<string>("--encoder") { Description = $"One of {string.Join(", ", EncoderRegistry.ProbeNames)} (its embeddings must be cached; -ft: fine-tuned weights).", DefaultValueFactory = _ => EncoderRegistry.Spectrogram };
        var output = new Option<string?>("--out") { Description = "Where to write the result tables (default: the runs folder)." };
        var cmd = new Command(name, description);
        probe.AddTo(cmd);
        foreach (var o in new Option[] { task, encoder, output }) cmd.Options.Add(o);
        cmd.SetAction((parse, ct) =>
        {
            var options = probe.ToOptions(parse, [parse.GetValue(task)!], [parse.GetValue(encoder)!], evaluateOnly);
            return Task.FromResult(Table3Command.RunAndPrint(parse, probe.DatasetOf(parse), options, parse.GetValue(output), ct));
        });
        return cmd;
    }
}

/// <summary>`pianojudges evaluate`: the selected head of a finished run, evaluated again on the test split (no training).</summary>
public sealed class EvaluateCommand : ICliCommand
{
    public Command Build() => TrainCommand.Make("evaluate", "Evaluate the selected head (best.pt) of a finished training run on the test split, without training.", evaluateOnly: true);
}
