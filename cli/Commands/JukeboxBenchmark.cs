namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Encoders;

/// <summary>`pianojudges bench jukebox`: Jukebox 5b VQ-VAE top-level encoder (random weights, real size) on 3 x 10 s of noise, default and faithful (peak-normalised): realtime factor, CPU seconds per audio second and peak memory (EncoderBenchmarkRun).</summary>
public sealed class JukeboxBenchmark : IBenchmark
{
    private const int Segments = 3;

    public string Name => EncoderRegistry.Jukebox;

    public string Description => "Jukebox 5b VQ-VAE top-level encoder (random weights, real size) on 3 x 10 s of noise, default and faithful (peak-normalised): realtime factor, CPU per audio second, peak memory.";

    public int Run(ParseResult parse, CancellationToken cancellationToken) =>
        EncoderBenchmarkRun.Run(Name, Segments, faithfulToo: true, cancellationToken);
}
