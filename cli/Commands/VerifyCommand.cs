namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Probing;
using Spectre.Console;

/// <summary>`pianojudges verify &lt;results.json&gt;`: re-run a probing result from scratch and say whether it matches.</summary>
public sealed class VerifyCommand : ICliCommand
{
    public Command Build()
    {
        var results = new Argument<string>("results") { Description = "A run's results.json (or the folder holding it)." };
        var cmd = new Command("verify", "Re-train a probing result from its recorded dataset, embeddings, seed and options in a temporary folder and compare every metric and the curve bit for bit. Exit 0 match, 1 mismatch, 2 cannot verify.");
        cmd.Arguments.Add(results);
        cmd.SetAction((parse, ct) =>
        {
            string path = parse.GetValue(results)!;
            AnsiConsole.MarkupLine($"Re-running {Markup.Escape(path)} …");
            var report = ResultVerification.Verify(GlobalOptions.Paths(parse), path, cancellationToken: ct);
            foreach (var note in report.Notes) AnsiConsole.MarkupLine($"[grey]note: {Markup.Escape(note)}[/]");
            switch (report.Verdict)
            {
                case VerificationVerdict.Match:
                    AnsiConsole.MarkupLine("[green]match[/]: every metric, interval and curve value is bit-identical");
                    break;
                case VerificationVerdict.Mismatch:
                    AnsiConsole.MarkupLine($"[red]mismatch[/]: {report.Differences.Count} values differ");
                    foreach (var d in report.Differences) AnsiConsole.MarkupLine($"  {Markup.Escape(d)}");
                    break;
                default:
                    AnsiConsole.MarkupLine($"[yellow]cannot verify[/]: {Markup.Escape(report.Problem ?? "")}");
                    break;
            }
            return Task.FromResult(report.ExitCode);
        });
        return cmd;
    }
}
