namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using PianoJudges.Data;
using PianoJudges.Synthesis;
using Spectre.Console;

/// <summary>`pianojudges synth`: generates PLD-synth, the synthetic stand-in for the paper's YouTube/ATEPP recordings.</summary>
public sealed class SynthCommand : ICliCommand
{
    public Command Build()
    {
        var size = new Option<string>("--size") { Description = "tiny (tests), small (the main job), paper (the paper's counts)", DefaultValueFactory = _ => PldSynthSizes.Small };
        size.AcceptOnlyFromAmong([.. PldSynthSizes.All]);
        var seed = new Option<ulong>("--seed") { Description = "Master seed: the same seed gives byte-identical files", DefaultValueFactory = _ => PldSynthConfig.DefaultSeed };
        var competition = new Option<bool>("--competition") { Description = "Also generate a synthetic piano competition (icpc2015 schema)" };
        var tie = new Option<bool>("--tie-recording-to-level") { Description = "Tie recording quality to the label (phones for beginners, studios for virtuosos), as in the real data" };
        var cmd = new Command("synth", "Generate PLD-synth: synthetic expertise, difficulty and technique recordings with Salamander piano samples.")
        {
            size, seed, competition, tie,
        };
        cmd.SetAction((parse, ct) =>
        {
            var paths = GlobalOptions.Paths(parse);
            var config = PldSynthConfig.ForSize(parse.GetValue(size)!, parse.GetValue(seed)) with { TieRecordingToLevel = parse.GetValue(tie) };
            Generate(paths, config, parse.GetValue(competition), ct);
            return Task.FromResult(0);
        });
        return cmd;
    }

    /// <summary>Generates (or finds) a PLD-synth dataset, and optionally its synthetic competition, with progress and a summary.</summary>
    internal static (PldSynthResult Dataset, PldSynthResult? Competition) Generate(DataPaths paths, PldSynthConfig config, bool competition, CancellationToken ct)
    {
        AnsiConsole.MarkupLine($"PLD-synth [bold]{config.Size}[/] (seed {config.Seed}) -> {Markup.Escape(paths.PldSynth(config.Size))}");
        // Loaded on first use and shared, so that the competition does not prepare the same notes again.
        SalamanderSamples? samples = null;
        SalamanderSamples Samples(SalamanderOptions options, Action<string> log) =>
            samples is not null && samples.Options == options ? samples
                : samples = new SalamanderSamples(paths, options, log);
        static void Log(string msg) => AnsiConsole.MarkupLine(Markup.Escape(msg));
        var result = CliProgress.Run(config.Size, p => PldSynth.Generate(paths, config, p, Log, ct,
            PldSynth.NeedsRendering(paths, config) ? Samples(config.Samples with { SampleRate = PldSynth.OutputSampleRate }, Log) : null));
        Report(result);
        if (!competition) return (result, null);
        var cc = CompetitionConfig.ForSize(config.Size, config.Seed);
        AnsiConsole.MarkupLine($"Competition [bold]{cc.Name}[/]: {cc.Candidates} candidates -> {Markup.Escape(paths.PldSynth(cc.Name))}");
        var comp = CliProgress.Run(cc.Name, p => PldSynth.GenerateCompetition(paths, cc, p, Log, ct,
            PldSynth.NeedsRendering(paths, cc) ? Samples(cc.Samples with { SampleRate = PldSynth.OutputSampleRate }, Log) : null));
        Report(comp);
        return (result, comp);
    }

    private static void Report(PldSynthResult r)
    {
        var table = new Table().AddColumn("what").AddColumn("value");
        table.AddRow("folder", Markup.Escape(r.Root));
        foreach (var (task, path) in r.Manifests) table.AddRow($"manifest ({task})", Markup.Escape(path));
        table.AddRow("recordings", $"{r.Recordings} ({r.Rendered} rendered now)");
        table.AddRow("audio", $"{r.AudioSeconds / 60:0.0} min");
        table.AddRow("size on disk", $"{r.Bytes / 1e6:0.0} MB");
        table.AddRow("time", $"{r.Elapsed.TotalSeconds:0.0} s (sample preparation {r.SamplePreparation.TotalSeconds:0.0} s)");
        if (r.Rendered > 0) table.AddRow("realtime factor", string.Create(CultureInfo.InvariantCulture, $"{r.RealtimeFactor:0.0}x (audio seconds per wall-clock second, {Environment.ProcessorCount} cores)"));
        AnsiConsole.Write(table);
    }
}
