namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using System.Diagnostics;
using PianoJudges.Synthesis;
using Spectre.Console;

/// <summary>`pianojudges bench synth`: single-thread cost of PLD-synth's note preparation and rendering.</summary>
public sealed class SynthBenchmark : IBenchmark
{
    public string Name => "synth";
    public string Description => "PLD-synth: note preparation time and the realtime factor of rendering (one thread, small-size settings).";

    public int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        var paths = GlobalOptions.Paths(parse);
        var config = PldSynthConfig.ForSize(PldSynthSizes.Small);
        var samples = new SalamanderSamples(paths, config.Samples with { SampleRate = PldSynth.OutputSampleRate }, m => AnsiConsole.MarkupLine(Markup.Escape(m)));
        var items = PldSynth.Plan(config).Where((_, i) => i % 40 == 0).ToList();
        var realised = items.Select(x => (Item: x, PldSynth.Realise(x, config.Seed).Performance)).ToList();
        var needed = realised.SelectMany(r => r.Performance.Notes.Select(n => (n.Pitch, samples.LayerFor(n.Velocity).LayerIndex))).Distinct().ToList();
        // CPU time of this process, not wall-clock time: the figures hold on a busy machine too (the loops are single-threaded).
        var process = Process.GetCurrentProcess();
        double Cpu() { process.Refresh(); return process.TotalProcessorTime.TotalSeconds; }
        double t0 = Cpu();
        foreach (var (pitch, layer) in needed) samples.Note(pitch, layer);
        double prep = Cpu() - t0;
        double audio = items.Sum(x => x.Seconds);
        t0 = Cpu();
        foreach (var (item, performance) in realised) PianoRenderer.RenderDry(performance, samples, item.Seconds);
        double dry = Cpu() - t0;
        t0 = Cpu();
        foreach (var item in items) PldSynth.RenderItem(item, samples, config.Seed);
        double full = Cpu() - t0;
        var table = new Table().AddColumn("what").AddColumn("value");
        table.AddRow("recordings", $"{items.Count} ({audio:0} s of audio)");
        table.AddRow("note preparation", $"{needed.Count} notes in {prep:0.0} s CPU ({1000 * prep / needed.Count:0} ms per note, {config.Samples.MaxNoteSeconds} s notes)");
        table.AddRow("dry piano", $"{audio / dry:0.0}x realtime (per CPU second)");
        table.AddRow("full render (score, performance, piano, room, mic, noise)", $"{audio / full:0.0}x realtime (per CPU second)");
        AnsiConsole.Write(table);
        return 0;
    }
}
