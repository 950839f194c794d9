namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Encoders;

/// <summary>
/// `pianojudges bench ENCODER`: one registry encoder (random weights, real size) on <paramref name="segments"/> x 10 s
/// of noise, in the corrected default and, when <paramref name="faithfulToo"/>, the released code's configuration:
/// realtime factor, CPU seconds per audio second and peak memory (<see cref="EncoderBenchmarkRun"/>).
/// </summary>
public abstract class EncoderBenchmark(string name, int segments, bool faithfulToo, string description) : IBenchmark
{
    public string Name => name;

    public string Description => description;

    public int Run(ParseResult parse, CancellationToken cancellationToken) =>
        EncoderBenchmarkRun.Run(Name, segments, faithfulToo, cancellationToken);
}

/// <summary>`pianojudges bench audiomae`: Audio-MAE ViT-B/16, default and faithful front ends.</summary>
public sealed class AudioMaeBenchmark() : EncoderBenchmark(EncoderRegistry.AudioMae, segments: 3, faithfulToo: true,
    "Audio-MAE ViT-B/16 (random weights, real size) on 3 x 10 s of noise, default and faithful front ends: realtime factor, CPU per audio second, peak memory.");

/// <summary>`pianojudges bench dac`: DAC 44.1 kHz encoder + 9-codebook RVQ, whole segments and faithful 1 s chunks.</summary>
public sealed class DacBenchmark() : EncoderBenchmark(EncoderRegistry.Dac, segments: 1, faithfulToo: true,
    "DAC 44.1 kHz encoder + 9-codebook RVQ (random weights, real size) on 1 x 10 s of noise, whole segments and faithful 1 s chunks: realtime factor, CPU per audio second, peak memory.");

/// <summary>`pianojudges bench jukebox`: Jukebox 5b VQ-VAE top-level encoder, default and faithful (peak-normalised).</summary>
public sealed class JukeboxBenchmark() : EncoderBenchmark(EncoderRegistry.Jukebox, segments: 3, faithfulToo: true,
    "Jukebox 5b VQ-VAE top-level encoder (random weights, real size) on 3 x 10 s of noise, default and faithful (peak-normalised): realtime factor, CPU per audio second, peak memory.");

/// <summary>`pianojudges bench mert`: MERT-v1-330M (no faithful variant to compare).</summary>
public sealed class MertBenchmark() : EncoderBenchmark(EncoderRegistry.Mert, segments: 1, faithfulToo: false,
    "MERT-v1-330M (random weights, real size) on 1 x 10 s of noise: realtime factor, CPU per audio second, peak memory.");
