namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Encoders.Jukebox;
using PianoJudges.Native;
using Spectre.Console;

/// <summary>`pianojudges bench jukebox`: CPU speed of the real-size Jukebox 5b VQ-VAE top-level encoder with random weights.</summary>
public sealed class JukeboxBenchmark : IBenchmark
{
    private const int Segments = 3;

    public string Name => "jukebox";

    public string Description => $"Jukebox VQ-VAE top-level encoder (real size, random weights) on {Segments} x 10 s of noise: realtime factor and peak memory.";

    public int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        TorchRuntime.EnsureInitialised();
        TorchSharp.torch.manual_seed(1);
        var table = EncoderBenchmarkRun.NewTable();
        var config = JukeboxConfig.PaperFaithful;
        using var encoder = new JukeboxEncoder(new JukeboxVqvaeEncoder(config), "random");
        EncoderBenchmarkRun.Measure("faithful", encoder, EncoderBenchmarkRun.Noise(config.SampleRate, config.SegmentSeconds, Segments), table, cancellationToken);
        AnsiConsole.MarkupLine($"torch threads: {TorchSharp.torch.get_num_threads()}, one warm-up segment before the timed run");
        AnsiConsole.Write(table);
        return 0;
    }
}
