namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Encoders.AudioMae;
using PianoJudges.Native;
using Spectre.Console;

/// <summary>`pianojudges bench audiomae`: CPU speed of the real-size Audio-MAE ViT-B/16 with random weights.</summary>
public sealed class AudioMaeBenchmark : IBenchmark
{
    private const int Segments = 3;

    public string Name => "audiomae";

    public string Description => $"Audio-MAE ViT-B/16 (real size, random weights) on {Segments} x 10 s of noise, paper and faithful front ends: realtime factor and peak memory.";

    public int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        TorchRuntime.EnsureInitialised();
        TorchSharp.torch.manual_seed(1);
        var table = EncoderBenchmarkRun.NewTable();
        foreach (var (mode, config) in new[] { ("paper", AudioMaeConfig.Paper), ("faithful", AudioMaeConfig.PaperFaithful) })
        {
            using var encoder = new AudioMaeEncoder(new AudioMaeVit(config), "random");
            EncoderBenchmarkRun.Measure(mode, encoder, EncoderBenchmarkRun.Noise(config.SampleRate, 10.0, Segments), table, cancellationToken);
        }
        AnsiConsole.MarkupLine($"torch threads: {TorchSharp.torch.get_num_threads()}, one warm-up segment before each timed run");
        AnsiConsole.Write(table);
        return 0;
    }
}
