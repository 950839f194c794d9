namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Data;
using Spectre.Console;

/// <summary>`pianojudges fetch --manifest NAME|PATH --audio-root DIR`: download a manifest's audio with yt-dlp.</summary>
public sealed class FetchCommand : ICliCommand
{
    public Command Build()
    {
        var manifest = new Option<string>("--manifest")
        {
            Description = $"Manifest name ({string.Join(", ", ManifestCatalog.Names)}) or path to a manifest file.",
            Required = true,
        };
        var root = new Option<string>("--audio-root")
        {
            Description = "Folder to download into: files go to <root>/<task>/<audio_id>.<ext>.",
            Required = true,
        };
        var ytdlp = new Option<string?>("--yt-dlp") { Description = "Path of the yt-dlp executable (default: found on PATH)." };
        var limit = new Option<int?>("--limit") { Description = "Fetch at most this many rows (for a first try)." };
        var cmd = new Command("fetch", "Download the audio of a manifest with yt-dlp (resumable: existing files are skipped; failures go to <root>/fetch-failures.log).");
        cmd.Options.Add(manifest);
        cmd.Options.Add(root);
        cmd.Options.Add(ytdlp);
        cmd.Options.Add(limit);
        cmd.SetAction((parse, ct) =>
        {
            Manifest m;
            try { m = ManifestCatalog.LoadNameOrPath(parse.GetValue(manifest)!); }
            catch (Exception e) when (e is FileNotFoundException or ManifestException)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
                return Task.FromResult(2);
            }
            if (parse.GetValue(limit) is { } n) m = m with { Rows = m.Rows.Take(n).ToList() };
            var options = new FetchOptions(parse.GetValue(root)!, parse.GetValue(ytdlp));
            try
            {
                AudioFetcher.ResolveYtDlp(options);
                FetchSummary summary = null!;
                AnsiConsole.Progress().Start(ctx =>
                {
                    var task = ctx.AddTask($"fetching {m.Rows.Count} rows", maxValue: m.Rows.Count);
                    summary = AudioFetcher.Fetch(m, options, (_, _) => task.Increment(1), ct);
                });
                AnsiConsole.MarkupLine(Markup.Escape(summary.ToString()));
                return Task.FromResult(summary.Failed > 0 ? 1 : 0);
            }
            catch (YtDlpMissingException e)
            {
                Console.Error.WriteLine(e.Message);
                return Task.FromResult(3);
            }
        });
        return cmd;
    }
}
