namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Encoders.Weights;
using Spectre.Console;

/// <summary>
/// `pianojudges weights locate|download MODEL`: find a model's checkpoint in the Hugging Face cache
/// (or the project's weights folder), or download files into that cache layout, resuming partial downloads.
/// </summary>
public sealed class WeightsCommand : ICliCommand
{
    private static readonly string[] DefaultFiles = ["config.json", "pytorch_model.bin"];

    public Command Build()
    {
        var cmd = new Command("weights", "Find or download pretrained encoder weights (Hugging Face cache layout).");
        var model = new Argument<string>("model") { Description = "Model id, e.g. m-a-p/MERT-v1-330M." };
        var files = new Option<string[]>("--file") { Description = $"File(s) of the repository (default: {string.Join(", ", DefaultFiles)}).", AllowMultipleArgumentsPerToken = true };
        var revision = new Option<string>("--revision") { Description = "Branch or commit.", DefaultValueFactory = _ => "main" };
        var sha = new Option<string?>("--sha256") { Description = "Published SHA-256 of the (single) file; checked after download." };
        var endpoint = new Option<string?>("--endpoint") { Description = "The hub's base address (default: $HF_ENDPOINT)." };
        var project = new Option<bool>("--project-cache") { Description = "Download into the project's data folder (weights/) instead of the user's Hugging Face cache." };

        var locate = new Command("locate", "Print the checkpoint file that encoders would load.") { model, files, revision };
        locate.SetAction(parse => Guard(() =>
        {
            var names = parse.GetValue(files) is { Length: > 0 } f ? f : ["model.safetensors", "pytorch_model.bin"];
            var path = new WeightsLocator(parse.GetValue(model)!, names, parse.GetValue(revision)!)
                .Resolve(projectWeightsDirectory: GlobalOptions.Paths(parse).Weights);
            Console.WriteLine(path);
            return Task.FromResult(0);
        }).GetAwaiter().GetResult());

        var download = new Command("download", "Download files of a model repository into the Hugging Face cache, resuming partial downloads.") { model, files, revision, sha, endpoint, project };
        download.SetAction((parse, ct) => Guard(async () =>
        {
            var names = parse.GetValue(files) is { Length: > 0 } f ? f : DefaultFiles;
            string? expected = parse.GetValue(sha);
            if (expected is not null && names.Length != 1)
                throw new ArgumentException("--sha256 applies to one file: give exactly one --file");
            string? cache = parse.GetValue(project) ? GlobalOptions.Paths(parse).Weights : null;
            using var dl = parse.GetValue(endpoint) is { Length: > 0 } e ? new HubDownloader(new Uri(e), cache) : HubDownloader.FromEnvironment(cache);
            string id = parse.GetValue(model)!;
            await AnsiConsole.Progress().StartAsync(async ctx =>
            {
                foreach (var name in names)
                {
                    var task = ctx.AddTask(Markup.Escape(name), maxValue: 1);
                    var progress = new Progress<DownloadProgress>(p =>
                    {
                        if (p.BytesTotal is long total && total > 0) { task.MaxValue = total; task.Value = p.BytesDone; }
                    });
                    string path = await dl.DownloadAsync(id, name, parse.GetValue(revision)!, expected, progress, ct);
                    task.Value = task.MaxValue;
                    AnsiConsole.MarkupLine($"[green]{Markup.Escape(path)}[/]");
                }
            });
            return 0;
        }));

        cmd.Subcommands.Add(locate);
        cmd.Subcommands.Add(download);
        return cmd;
    }

    /// <summary>Expected failures (nothing found, no endpoint, HTTP errors, bad hash) print one line, not a stack trace.</summary>
    private static async Task<int> Guard(Func<Task<int>> action)
    {
        try { return await action(); }
        catch (Exception e) when (e is FileNotFoundException or InvalidOperationException or HttpRequestException or InvalidDataException or ArgumentException or IOException)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return 1;
        }
    }
}
