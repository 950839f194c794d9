using System.CommandLine;
using PianoJudges.Cli;
using Spectre.Console;

// Redirected output (logs, SLURM, tests) is wrapped at 80 columns unless COLUMNS says otherwise: long file names stay on one line.
if (Console.IsOutputRedirected && int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int columns) && columns >= 40)
    AnsiConsole.Profile.Width = columns;
var root = new RootCommand("pianojudges: benchmark audio encoders on solo-piano performance understanding (Zhang, Liang & Dixon, ISMIR 2024).");
root.Options.Add(GlobalOptions.DataDir);
// Every ICliCommand in this assembly is one sub-command: a new command is a new file, nothing to register.
foreach (var type in typeof(ICliCommand).Assembly.GetTypes()
             .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
             .OrderBy(t => t.Name, StringComparer.Ordinal))
    root.Subcommands.Add(((ICliCommand)Activator.CreateInstance(type)!).Build());
var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
try
{
    return await root.Parse(args).InvokeAsync(config);
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException
                              or NotSupportedException or UnauthorizedAccessException or KeyNotFoundException or FormatException
                              or PianoJudges.Data.ManifestException or PianoJudges.Audio.AudioFormatException
                              or PianoJudges.Encoders.Weights.CheckpointFormatException)
{
    // Bad input is the user's to fix: say what and where, without a stack trace (PIANOJUDGES_DEBUG=1 shows it).
    AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
    if (Environment.GetEnvironmentVariable("PIANOJUDGES_DEBUG") == "1") Console.Error.WriteLine(e);
    return 2;
}
catch (OperationCanceledException)
{
    AnsiConsole.MarkupLine("[yellow]cancelled; what was computed is kept and the next run resumes[/]");
    return 130;
}
