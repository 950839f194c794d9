namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using PianoJudges.Probing;
using PianoJudges.Reporting;
using Spectre.Console;

/// <summary>`pianojudges table3` and `pianojudges train`: probe cached embeddings on the paper's tasks.</summary>
public sealed class Table3Command : ICliCommand
{
    public Command Build()
    {
        var probe = new ProbeOptions();
        var encoders = new Option<string[]>("--encoder", "--encoders")
        {
            Description = $"Encoders to probe, repeatable or comma-separated: {string.Join(", ", PianoJudges.Encoders.EncoderRegistry.ProbeNames)} " +
                          "(-ft: embeddings of fine-tuned weights; default: every encoder with cached embeddings, fine-tuned ones included).",
            AllowMultipleArgumentsPerToken = true,
        };
        var tasks = new Option<string[]>("--task") { Description = $"Tasks (default: all): {string.Join(", ", ProbeTaskNames.All)}.", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out") { Description = "Where to write table3.csv, table3.md and table3.html (default: the runs folder)." };
        var cmd = new Command("table3", "Train and evaluate every task for every encoder with cached embeddings; write Table 3 (CSV, Markdown, chart) beside the paper's numbers.");
        probe.AddTo(cmd);
        foreach (var o in new Option[] { encoders, tasks, output }) cmd.Options.Add(o);
        cmd.SetAction((parse, ct) =>
        {
            var names = (parse.GetValue(encoders) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            var options = probe.ToOptions(parse, parse.GetValue(tasks) is { Length: > 0 } t ? t : null, names.Length > 0 ? names : null);
            return Task.FromResult(RunAndPrint(parse, probe.DatasetOf(parse), options, parse.GetValue(output), ct));
        });
        return cmd;
    }

    /// <summary>Runs, prints the headline table and the skipped items, writes the table files; exit code 1 when nothing ran.</summary>
    internal static int RunAndPrint(ParseResult parse, ProbeDataset dataset, Table3Options options, string? outDir, CancellationToken ct)
    {
        var result = RunWithProgress(GlobalOptions.Paths(parse), dataset, options, ct);
        var files = Table3Report.Write(result, outDir ?? result.RunsDirectory);
        AnsiConsole.Write(ToSpectre(Table3Report.Headline(result)));
        foreach (var s in result.Skipped) AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(s)}[/]");
        AnsiConsole.MarkupLine($"Wrote {Markup.Escape(string.Join(", ", files))}");
        return result.Results.Count > 0 ? 0 : 1;
    }

    internal static Table3Result RunWithProgress(PianoJudges.Data.DataPaths paths, ProbeDataset dataset, Table3Options options, CancellationToken ct)
    {
        Table3Result result = null!;
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var overall = ctx.AddTask("table 3");
                result = Table3.Run(paths, dataset, options, new Reporter(p =>
                {
                    overall.MaxValue = Math.Max(1, p.Total);
                    overall.Value = p.Done;
                    if (p.Epoch is { } e)
                        overall.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                            $"{p.Encoder}/{p.Task} seed {p.Seed} epoch {e.Epoch}: train {e.TrainLoss:F3} val {e.ValidationLoss:F3} acc {e.ValidationAccuracy:F2}"));
                    else if (p.Task.Length > 0) overall.Description = Markup.Escape($"{p.Encoder}/{p.Task} seed {p.Seed}");
                }), ct);
                overall.Value = overall.MaxValue;
                overall.Description = "table 3";
            });
        return result;
    }

    internal static Spectre.Console.Table ToSpectre(PianoJudges.Reporting.Table table)
    {
        var t = new Spectre.Console.Table();
        foreach (var c in table.Columns) t.AddColumn(Markup.Escape(c));
        foreach (var r in table.Rows) t.AddRow(r.Select(v => Markup.Escape(v switch { null => "", double d => d.ToString(table.NumberFormat, CultureInfo.InvariantCulture), _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "" })).ToArray());
        return t;
    }

    private sealed class Reporter(Action<Table3Progress> action) : IProgress<Table3Progress>
    {
        public void Report(Table3Progress value) => action(value);
    }
}
