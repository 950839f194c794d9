namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Encoders;

/// <summary>`pianojudges bench mert`: MERT-v1-330M (random weights, real size) on 1 x 10 s of noise: realtime factor, CPU seconds per audio second and peak memory (EncoderBenchmarkRun).</summary>
public sealed class MertBenchmark : IBenchmark
{
    private const int Segments = 1;

    public string Name => EncoderRegistry.Mert;

    public string Description => "MERT-v1-330M (random weights, real size) on 1 x 10 s of noise: realtime factor, CPU per audio second, peak memory.";

    public int Run(ParseResult parse, CancellationToken cancellationToken) =>
        EncoderBenchmarkRun.Run(Name, Segments, faithfulToo: false, cancellationToken);
}
