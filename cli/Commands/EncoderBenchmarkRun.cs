namespace PianoJudges.Cli.Commands;

using System.Diagnostics;
using PianoJudges.Audio;
using PianoJudges.Encoders;
using PianoJudges.Encoders.AudioMae;
using PianoJudges.Encoders.Dac;
using PianoJudges.Encoders.Jukebox;
using PianoJudges.Encoders.Mert;
using PianoJudges.Native;
using Spectre.Console;
using TorchSharp;

/// <summary>
/// The one measurement every encoder benchmark reports, so their figures compare:
/// realtime factor = audio seconds / wall seconds (above 1 is faster than real time),
/// CPU seconds per audio second (all threads; less sensitive to other processes than wall time),
/// and the process's peak working set.
/// </summary>
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

    /// <summary>
    /// Builds <paramref name="name"/> through the registry with seeded random weights (real size, no download), in the
    /// corrected default and, when <paramref name="faithfulToo"/>, the released code's configuration, and measures each
    /// on <paramref name="segments"/> x 10 s of noise; prints one table.
    /// </summary>
    public static int Run(string name, int segments, bool faithfulToo, CancellationToken cancellationToken)
    {
        string libtorch = TorchRuntime.EnsureInitialised();
        var table = NewTable();
        foreach (bool faithful in faithfulToo ? new[] { false, true } : [false])
        {
            var build = Stopwatch.StartNew();
            var encoder = EncoderRegistry.Create(name, new EncoderOptions(Faithful: faithful, RandomWeights: true, Seed: 1, BatchSize: 1));
            build.Stop();
            try
            {
                var info = encoder.Info;
                Measure(faithful ? "faithful" : "default", encoder, Noise(info.SampleRate, 10.0, segments), build.Elapsed.TotalSeconds, table, cancellationToken);
            }
            finally { (encoder as IDisposable)?.Dispose(); }
            GC.Collect();
        }
        AnsiConsole.MarkupLine(Markup.Escape($"libtorch {libtorch}, torch threads {torch.get_num_threads()}, load average {LoadAverage()}; one warm-up segment before each timed run; batch size 1"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]realtime factor = audio seconds / wall seconds (above 1: faster than real time); peak working set is the process's so far (a later row includes the earlier ones).[/]");
        return 0;
    }

    /// <summary>One warm-up segment, then one timed run over <paramref name="audio"/>; adds the figures to <paramref name="table"/>.</summary>
    public static void Measure(string mode, IAudioEncoder encoder, SegmentedAudio audio, double buildSeconds, Table table, CancellationToken cancellationToken)
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
        string parameters = Parameters(encoder) is long p ? $"{p / 1e6:0.0} M parameters, " : "";
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(mode)}: {parameters}built in {buildSeconds:0.0} s; {Markup.Escape(encoder.ConfigKey)}[/]");
        table.AddRow(Markup.Escape(mode),
            $"{audioSeconds:0} s",
            $"({embedding.Segments}, {embedding.Frames}, {embedding.Dim})",
            $"{seconds:0.00} s",
            $"{audioSeconds / seconds:0.00}x",
            $"{cpuSeconds / audioSeconds:0.000}",
            $"{process.PeakWorkingSet64 / (1024.0 * 1024):0} MiB");
    }

    public static Table NewTable() => new Table()
        .AddColumn("mode").AddColumn("audio").AddColumn("embedding").AddColumn("wall")
        .AddColumn("realtime factor").AddColumn("CPU s per audio s").AddColumn("peak working set");

    private static long? Parameters(IAudioEncoder encoder)
    {
        torch.nn.Module? model = encoder switch
        {
            MertEncoder m => m.Model,
            AudioMaeEncoder a => a.Model,
            DacEncoder d => d.Model,
            JukeboxEncoder j => j.Model,
            _ => null,
        };
        return model?.parameters().Sum(p => p.numel());
    }

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
