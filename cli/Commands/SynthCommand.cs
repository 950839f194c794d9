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
            AnsiConsole.MarkupLine($"PLD-synth [bold]{config.Size}[/] (seed {config.Seed}) -> {Markup.Escape(paths.PldSynth(config.Size))}");
            // Loaded on first use and shared, so that the competition does not prepare the same notes again.
            SalamanderSamples? samples = null;
            SalamanderSamples Samples(SalamanderOptions options, Action<string> log) =>
                samples is not null && samples.Options == options ? samples
                    : samples = new SalamanderSamples(paths, options, log);
            var result = Run($"{config.Size}", (p, log) => PldSynth.Generate(paths, config, p, log, ct,
                PldSynth.NeedsRendering(paths, config) ? Samples(config.Samples with { SampleRate = PldSynth.OutputSampleRate }, log) : null));
            Report(result);
            if (parse.GetValue(competition))
            {
                var cc = CompetitionConfig.ForSize(config.Size, config.Seed);
                AnsiConsole.MarkupLine($"Competition [bold]{cc.Name}[/]: {cc.Candidates} candidates -> {Markup.Escape(paths.PldSynth(cc.Name))}");
                Report(Run(cc.Name, (p, log) => PldSynth.GenerateCompetition(paths, cc, p, log, ct,
                    PldSynth.NeedsRendering(paths, cc) ? Samples(cc.Samples with { SampleRate = PldSynth.OutputSampleRate }, log) : null)));
            }
            return Task.FromResult(0);
        });
        return cmd;
    }

    private static PldSynthResult Run(string name, Func<IProgress<(int done, int total, string item)>, Action<string>, PldSynthResult> generate)
    {
        PldSynthResult? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(name), maxValue: 1);
                var progress = new DirectProgress(p =>
                {
                    task.MaxValue = Math.Max(1, p.total);
                    task.Value = p.done;
                    task.Description = Markup.Escape($"{name}: {p.item}");
                });
                result = generate(progress, msg => AnsiConsole.MarkupLine(Markup.Escape(msg)));
                task.Value = task.MaxValue;
            });
        return result!;
    }

    /// <summary>Reports straight to the handler (Progress&lt;T&gt; would post to the thread pool and lag behind).</summary>
    private sealed class DirectProgress(Action<(int done, int total, string item)> handler) : IProgress<(int done, int total, string item)>
    {
        private readonly Lock _gate = new();
        public void Report((int done, int total, string item) value) { lock (_gate) handler(value); }
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
