namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Encoders;
using PianoJudges.Probing;
using Spectre.Console;

/// <summary>`pianojudges embed`: compute an encoder's embeddings of a manifest's recordings into the cache.</summary>
public sealed class EmbedCommand : ICliCommand
{
    public Command Build()
    {
        var encoder = new Option<string>("--encoder") { Description = $"Encoder: {string.Join(", ", EncoderRegistry.Names)}.", DefaultValueFactory = _ => EncoderRegistry.Spectrogram };
        var manifests = new Option<string[]>("--manifest") { Description = "Manifest name (expertise, difficulty, techniques, icpc2015) or CSV path; repeatable.", Required = true, AllowMultipleArgumentsPerToken = true };
        var audioRoot = new Option<string?>("--audio-root") { Description = "Folder holding the audio (default: the audio/ folder beside a manifest's folder, as PLD-synth lays it out)." };
        var shard = new Option<string?>("--shard") { Description = "Do shard i of n (0-based, e.g. 0/4); default: the SLURM job array task when run in one, else everything." };
        var float16 = new Option<bool>("--float16") { Description = "Store embeddings as float16 (half the disk)." };
        var faithful = new Option<bool>("--faithful-segments") { Description = "Segment as the released code: whole 10 s segments only (a partial tail is dropped)." };
        var maxSegments = new Option<int>("--max-segments") { Description = "Segments of 10 s per recording (the paper: 30 = 5 minutes).", DefaultValueFactory = _ => 30 };
        var weights = new Option<string?>("--weights") { Description = "The encoder's checkpoint file, or a folder holding it (default: the Hugging Face cache for mert, then the project's weights folder); for audiomae and dac also a 'finetune' run folder or its encoder.safetensors: its metadata builds the trained model and the embeddings are cached as audiomae-ft / dac-ft." };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N (mert only; the other encoders run on the CPU).", DefaultValueFactory = _ => "cpu" };
        var faithfulEncoder = new Option<bool>("--faithful") { Description = "The encoder as the paper's released code runs it instead of the corrected default (see lib/Encoders/README.md)." };
        var layer = new Option<string?>("--layer") { Description = "MERT hidden state: last (default, the paper's), N, avg or avg:A-B." };
        var randomWeights = new Option<bool>("--random-weights") { Description = "Seeded random weights instead of a checkpoint (teaching runs, benchmarks); cached apart from real embeddings." };
        var seed = new Option<int>("--seed") { Description = "Seed of --random-weights.", DefaultValueFactory = _ => 0 };
        var batchSize = new Option<int>("--batch-size") { Description = "Segments per forward pass.", DefaultValueFactory = _ => 2 };

        var cmd = new Command("embed", "Compute embeddings of every recording of the manifests into the embedding cache (resumable; reuses cached entries).");
        foreach (var o in new Option[] { encoder, manifests, audioRoot, shard, float16, faithful, maxSegments, weights, device, faithfulEncoder, layer, randomWeights, seed, batchSize }) cmd.Options.Add(o);
        cmd.SetAction((parse, ct) =>
        {
            var paths = GlobalOptions.Paths(parse);
            var segmenting = new SegmentingOptions(MaxSegments: parse.GetValue(maxSegments), Tail: parse.GetValue(faithful) ? TailMode.Faithful : TailMode.ZeroPad);
            var shardSpec = parse.GetValue(shard) is { } s ? ShardSpec.Parse(s) : ShardSpec.FromEnvironment() ?? ShardSpec.All;
            var options = new EncoderOptions(parse.GetValue(weights), paths.Weights, parse.GetValue(device)!, parse.GetValue(faithfulEncoder),
                parse.GetValue(layer), parse.GetValue(randomWeights), parse.GetValue(seed), parse.GetValue(batchSize));
            var named = parse.GetValue(manifests)!.Select(n => (n, ManifestCatalog.LoadNameOrPath(n))).ToList();
            var (code, _) = EmbedManifests(paths, parse.GetValue(encoder)!, options, named, parse.GetValue(audioRoot),
                segmenting, shardSpec, parse.GetValue(float16), ct);
            return Task.FromResult(code);
        });
        return cmd;
    }

    /// <summary>Embeds the manifests' audio with progress and a summary; the exit code is non-zero when any file failed or was missing.</summary>
    internal static (int ExitCode, EmbeddingCache Cache) EmbedManifests(DataPaths paths, string encoderName, EncoderOptions options, IReadOnlyList<(string Name, Manifest Manifest)> manifests, string? audioRoot,
        SegmentingOptions segmenting, ShardSpec shard, bool float16, CancellationToken ct)
    {
        var encoder = EncoderRegistry.Create(encoderName, options);
        using var disposeEncoder = encoder as IDisposable;
        if (options.RandomWeights && encoder is not SpectrogramEncoder)
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(encoder.Info.Name)}: random weights (seed {options.Seed}): for teaching runs and benchmarks, not for results[/]");
        var plan = DatasetEmbedding.Plan(manifests, audioRoot);
        foreach (var line in plan.Summaries) AnsiConsole.MarkupLine(Markup.Escape(line));
        var missing = plan.Missing;
        var started = DateTime.UtcNow;
        var (_, result, cache) = CliProgress.Run($"embed {encoder.Info.Name} (shard {shard.Index + 1}/{shard.Count})",
            p => DatasetEmbedding.Run(paths, encoder, plan, segmenting, shard, float16, p, ct));
        double seconds = (DateTime.UtcNow - started).TotalSeconds;
        AnsiConsole.MarkupLine($"{result.Computed} computed, {result.Cached} reused from the cache, {result.Failures.Count} failed, {missing.Count} without audio, in {seconds:F1} s.");
        AnsiConsole.MarkupLine($"Cache: {Markup.Escape(result.CacheDirectory)}");
        foreach (var f in result.Failures) AnsiConsole.MarkupLine($"[red]failed[/] {Markup.Escape(f.AudioId)}: {Markup.Escape(f.Problem ?? "")}");
        foreach (var m in missing.Take(20)) AnsiConsole.MarkupLine($"[yellow]missing[/] {Markup.Escape(m.Row.Id)}: {Markup.Escape(m.Reason)}");
        if (missing.Count > 20) AnsiConsole.MarkupLine($"[yellow]… and {missing.Count - 20} more rows without audio[/]");
        return (result.Failures.Count > 0 || missing.Count > 0 ? 1 : 0, cache);
    }
}
