namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using System.Diagnostics;
using PianoJudges.Audio;
using PianoJudges.Encoders;
using Spectre.Console;

/// <summary>`pianojudges bench mel`: single-threaded speed of the paper's mel spectrogram (the spectrogram encoder's work).</summary>
public sealed class MelBenchmark : IBenchmark
{
    private const double AudioSeconds = 60.0;
    private const int Repeats = 5;

    public string Name => "mel";

    public string Description => $"Mel spectrogram baseline: encode {AudioSeconds:0} s of noise at 24 kHz {Repeats} times on one thread; realtime factor and ms per 10 s segment.";

    public int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        var encoder = new SpectrogramEncoder();
        int rate = encoder.Info.SampleRate, segmentSamples = 10 * rate, segments = (int)(AudioSeconds / 10);
        var rng = new Random(1);
        var audio = new SegmentedAudio(
            Enumerable.Range(0, segments).Select(_ => Enumerable.Range(0, segmentSamples).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()).ToArray(),
            Enumerable.Repeat(segmentSamples, segments).ToArray(), rate);

        encoder.Encode(audio, cancellationToken);   // warm-up: JIT tiering, pooled buffers
        var times = new List<double>();
        for (int r = 0; r < Repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            encoder.Encode(audio, cancellationToken);
            times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        double median = times[times.Count / 2], best = times[0];

        var table = new Table().AddColumn("what").AddColumn("value");
        table.AddRow("config", Markup.Escape(encoder.ConfigKey));
        table.AddRow("audio per run", $"{AudioSeconds:0} s ({segments} segments of 10 s)");
        table.AddRow("runs", $"{Repeats} (after one warm-up), single thread");
        table.AddRow("median wall time", $"{median * 1000:0.0} ms");
        table.AddRow("realtime factor (median)", $"{AudioSeconds / median:0}x");
        table.AddRow("realtime factor (best)", $"{AudioSeconds / best:0}x");
        table.AddRow("ms per 10 s segment (median)", $"{median * 1000 / segments:0.00}");
        AnsiConsole.Write(table);
        return 0;
    }
}
