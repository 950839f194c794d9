namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Encoders;

/// <summary>`pianojudges bench audiomae`: Audio-MAE ViT-B/16 (random weights, real size) on 3 x 10 s of noise, default and faithful front ends: realtime factor, CPU seconds per audio second and peak memory (EncoderBenchmarkRun).</summary>
public sealed class AudioMaeBenchmark : IBenchmark
{
    private const int Segments = 3;

    public string Name => EncoderRegistry.AudioMae;

    public string Description => "Audio-MAE ViT-B/16 (random weights, real size) on 3 x 10 s of noise, default and faithful front ends: realtime factor, CPU per audio second, peak memory.";

    public int Run(ParseResult parse, CancellationToken cancellationToken) =>
        EncoderBenchmarkRun.Run(Name, Segments, faithfulToo: true, cancellationToken);
}
