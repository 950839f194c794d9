namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Encoders.Dac;
using PianoJudges.Native;
using Spectre.Console;

/// <summary>`pianojudges bench dac`: CPU speed of the real-size DAC 44.1 kHz encoder + RVQ with random weights.</summary>
public sealed class DacBenchmark : IBenchmark
{
    private const int Segments = 1;

    public string Name => "dac";

    public string Description => $"DAC 44.1 kHz encoder + 9-codebook RVQ (real size, random weights) on {Segments} x 10 s of noise, whole-segment and 1 s chunks: realtime factor and peak memory.";

    public int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        TorchRuntime.EnsureInitialised();
        TorchSharp.torch.manual_seed(1);
        var table = EncoderBenchmarkRun.NewTable();
        foreach (var (mode, config) in new[] { ("paper (whole)", DacConfig.Paper), ("faithful (1 s chunks)", DacConfig.PaperFaithful) })
        {
            using var encoder = new DacEncoder(new DacModel(config), "random");
            EncoderBenchmarkRun.Measure(mode, encoder, EncoderBenchmarkRun.Noise(config.SampleRate, config.SegmentSeconds, Segments), table, cancellationToken);
        }
        AnsiConsole.MarkupLine($"torch threads: {TorchSharp.torch.get_num_threads()}, one warm-up segment before each timed run");
        AnsiConsole.Write(table);
        return 0;
    }
}
