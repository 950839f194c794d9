namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Encoders;

/// <summary>`pianojudges bench dac`: DAC 44.1 kHz encoder + 9-codebook RVQ (random weights, real size) on 1 x 10 s of noise, whole segments and faithful 1 s chunks: realtime factor, CPU seconds per audio second and peak memory (EncoderBenchmarkRun).</summary>
public sealed class DacBenchmark : IBenchmark
{
    private const int Segments = 1;

    public string Name => EncoderRegistry.Dac;

    public string Description => "DAC 44.1 kHz encoder + 9-codebook RVQ (random weights, real size) on 1 x 10 s of noise, whole segments and faithful 1 s chunks: realtime factor, CPU per audio second, peak memory.";

    public int Run(ParseResult parse, CancellationToken cancellationToken) =>
        EncoderBenchmarkRun.Run(Name, Segments, faithfulToo: true, cancellationToken);
}
