namespace PianoJudges.Cli.Commands;

using System.Diagnostics;
using PianoJudges.Audio;
using PianoJudges.Encoders;
using Spectre.Console;

/// <summary>Shared measurement of the neural encoders' benchmarks: realtime factor of Encode on noise, and peak memory.</summary>
internal static class EncoderBenchmarkRun
{
    /// <summary>Uniform noise in [-0.5, 0.5), cut into <paramref name="segments"/> full segments.</summary>
    public static SegmentedAudio Noise(int rate, double segmentSeconds, int segments, int seed = 1)
    {
        var rng = new Random(seed);
        int n = (int)Math.Round(segmentSeconds * rate);
        return new SegmentedAudio(
            Enumerable.Range(0, segments).Select(_ => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray()).ToArray(),
            Enumerable.Repeat(n, segments).ToArray(), rate);
    }

    /// <summary>One warm-up segment, then one timed run over <paramref name="audio"/>; adds the figures to <paramref name="table"/>.
    /// Realtime factor = audio seconds / wall seconds (above 1 is faster than real time); CPU time shows contention.</summary>
    public static void Measure(string mode, IAudioEncoder encoder, SegmentedAudio audio, Table table, CancellationToken cancellationToken)
    {
        var warm = audio with { Segments = [audio.Segments[0]], ValidSamples = [audio.ValidSamples[0]] };
        encoder.Encode(warm, cancellationToken);
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var embedding = encoder.Encode(audio, cancellationToken);
        double seconds = sw.Elapsed.TotalSeconds;
        process.Refresh();
        double cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
        double audioSeconds = (double)audio.Count * audio.SegmentSamples / audio.SampleRate;
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(mode)}: {Markup.Escape(encoder.ConfigKey)}[/]");
        table.AddRow(Markup.Escape(mode),
            $"{audioSeconds:0} s",
            $"({embedding.Segments}, {embedding.Frames}, {embedding.Dim})",
            $"{seconds:0.00} s",
            $"{seconds * 10 / audioSeconds:0.00} s",
            $"{audioSeconds / seconds:0.00}x",
            $"{cpuSeconds * 10 / audioSeconds:0.0} s",
            $"{process.PeakWorkingSet64 / (1024.0 * 1024):0} MiB");
    }

    public static Table NewTable() => new Table()
        .AddColumn("mode").AddColumn("audio").AddColumn("embedding").AddColumn("wall")
        .AddColumn("wall per 10 s").AddColumn("realtime factor").AddColumn("CPU per 10 s").AddColumn("peak working set");
}
