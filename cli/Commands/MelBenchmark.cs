namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using PianoJudges.Audio;
using PianoJudges.Encoders;
using Spectre.Console;

/// <summary>`pianojudges bench mel`: single-threaded speed of the paper's mel spectrogram (the spectrogram encoder's work).</summary>
public sealed class MelBenchmark : IBenchmark
{
    private const double AudioSeconds = 60.0;
    private const int Repeats = 10;
    private const int SegmentRuns = 300;

    public string Name => "mel";  // the spectrogram encoder's benchmark

    public string Description => $"Mel spectrogram baseline: encode {AudioSeconds:0} s of noise at 24 kHz {Repeats} times on one thread; realtime factor and ms per 10 s segment.";

    public int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        var encoder = new SpectrogramEncoder();
        int rate = encoder.Info.SampleRate, segmentSamples = 10 * rate, segments = (int)(AudioSeconds / 10);
        var rng = new Random(1);
        var audio = new SegmentedAudio(
            Enumerable.Range(0, segments).Select(_ => Enumerable.Range(0, segmentSamples).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()).ToArray(),
            Enumerable.Repeat(segmentSamples, segments).ToArray(), rate);

        // The figures every encoder benchmark reports (EncoderBenchmarkRun), then this one's single-thread detail.
        var shared = EncoderBenchmarkRun.NewTable();
        EncoderBenchmarkRun.Measure("default", encoder, audio, 0, shared, cancellationToken);
        AnsiConsole.Write(shared);
        encoder.Encode(audio, cancellationToken);   // warm-up: JIT tiering, pooled buffers
        // Wall time suffers when other processes share the cores; this thread's CPU time does not (much).
        var times = new List<double>();
        var cpuTimes = new List<double>();
        for (int r = 0; r < Repeats; r++)
        {
            double cpu0 = ThreadCpuSeconds();
            var sw = Stopwatch.StartNew();
            encoder.Encode(audio, cancellationToken);
            times.Add(sw.Elapsed.TotalSeconds);
            cpuTimes.Add(ThreadCpuSeconds() - cpu0);
        }
        times.Sort();
        cpuTimes.Sort();

        // Many short runs of one segment: the fastest are the ones no other process interrupted.
        var one = new SegmentedAudio([audio.Segments[0]], [segmentSamples], rate);
        var segmentTimes = new List<double>();
        for (int r = 0; r < SegmentRuns; r++)
        {
            var sw = Stopwatch.StartNew();
            encoder.Encode(one, cancellationToken);
            segmentTimes.Add(sw.Elapsed.TotalSeconds);
        }
        segmentTimes.Sort();
        double segmentBest = segmentTimes[0], segmentP10 = segmentTimes[SegmentRuns / 10];
        double median = times[times.Count / 2], best = times[0], cpuMedian = cpuTimes[cpuTimes.Count / 2];

        var table = new Table().AddColumn("what").AddColumn("value");
        table.AddRow("config", Markup.Escape(encoder.ConfigKey));
        table.AddRow("audio per run", $"{AudioSeconds:0} s ({segments} segments of 10 s)");
        table.AddRow("runs", $"{Repeats} (after one warm-up), single thread");
        table.AddRow("median wall time", $"{median * 1000:0.0} ms");
        table.AddRow("realtime factor (median)", $"{AudioSeconds / median:0}x");
        table.AddRow("realtime factor (best)", $"{AudioSeconds / best:0}x");
        table.AddRow("ms per 10 s segment (median)", $"{median * 1000 / segments:0.00}");
        table.AddRow($"ms per segment, best / p10 of {SegmentRuns} one-segment runs", $"{segmentBest * 1000:0.00} / {segmentP10 * 1000:0.00}");
        table.AddRow("realtime factor, fastest one-segment run", $"{10 / segmentBest:0}x");
        table.AddRow("realtime factor by CPU time (median)", $"{AudioSeconds / cpuMedian:0}x");
        table.AddRow("ms CPU per 10 s segment (median)", $"{cpuMedian * 1000 / segments:0.00}");
        table.AddRow("vector width", System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "512 bit" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "256 bit" : "scalar");
        table.AddRow("load average", Markup.Escape(EncoderBenchmarkRun.LoadAverage()));
        AnsiConsole.Write(table);
        return 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID, nanosecond resolution); NaN where unavailable.</summary>
    private static double ThreadCpuSeconds()
    {
        const int ClockThreadCpuTimeId = 3;
        try
        {
            return OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var t) == 0 ? t.Seconds + t.Nanoseconds * 1e-9 : double.NaN;
        }
        catch (DllNotFoundException)
        {
            return double.NaN;
        }
    }
}
