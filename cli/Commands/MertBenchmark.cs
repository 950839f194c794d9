namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using System.Diagnostics;
using PianoJudges.Audio;
using PianoJudges.Encoders;
using PianoJudges.Encoders.Mert;
using PianoJudges.Native;
using Spectre.Console;
using TorchSharp;

/// <summary>
/// `pianojudges bench mert`: MERT-v1-330M at its real size with random weights (no download needed)
/// on one 10 s segment on the CPU: realtime factor (encode time / audio time; below 1 is faster than
/// real time) and peak resident memory.
/// </summary>
public sealed class MertBenchmark : IBenchmark
{
    private const int Runs = 3;
    private const double Seconds = 10.0;

    public string Name => "mert";
    public string Description => "MERT-v1-330M (random weights) on one 10 s segment on the CPU: realtime factor and peak memory.";

    public int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        string libtorch = TorchRuntime.EnsureInitialised();
        var config = MertConfig.Mert330M;
        long rssStart = Process.GetCurrentProcess().WorkingSet64;

        var build = Stopwatch.StartNew();
        torch.manual_seed(0);
        var model = new MertModel(config);
        long parameters = model.parameters().Sum(p => p.numel());
        build.Stop();
        using var encoder = new MertEncoder(model, new MertEncoderOptions(config, BatchSize: 1), "random");

        int sr = config.SampleRate, n = (int)(Seconds * sr);
        var rng = new Random(1);
        var samples = new float[n];
        for (int i = 0; i < n; i++)
            samples[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 261.63 * i / sr) + 0.05 * (rng.NextDouble() - 0.5));
        var audio = new SegmentedAudio([samples], [n], sr);

        var times = new List<double>();
        var cpu = new List<double>();
        Embedding? emb = null;
        var proc = Process.GetCurrentProcess();
        for (int r = 0; r < Runs; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            proc.Refresh();
            var cpuStart = proc.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            emb = encoder.Encode(audio, cancellationToken);
            times.Add(sw.Elapsed.TotalSeconds);
            proc.Refresh();
            cpu.Add((proc.TotalProcessorTime - cpuStart).TotalSeconds);
            GC.Collect();
        }
        proc.Refresh();

        var table = new Table().AddColumn("what").AddColumn("value");
        table.AddRow("model", Markup.Escape($"{config.ModelId} architecture, random weights, {parameters / 1e6:F1} M parameters"));
        table.AddRow("libtorch / threads", Markup.Escape($"{libtorch} / {torch.get_num_threads()}"));
        table.AddRow("input", $"1 segment, {Seconds:F0} s at {sr} Hz");
        table.AddRow("output", $"{emb!.Frames} x {emb.Dim} (last hidden state)");
        table.AddRow("model build", $"{build.Elapsed.TotalSeconds:F1} s");
        for (int r = 0; r < Runs; r++)
            table.AddRow($"run {r + 1}", $"{times[r]:F2} s wall, realtime factor {times[r] / Seconds:F3}; {cpu[r]:F1} CPU-seconds");
        table.AddRow("best realtime factor", $"{times.Min() / Seconds:F3}");
        // Wall time depends on what else runs; CPU time per segment does much less (a shared machine shows it).
        table.AddRow("CPU-seconds per audio second", $"{cpu.Min() / Seconds:F3} (best run)");
        table.AddRow("peak resident memory", $"{proc.PeakWorkingSet64 / 1048576.0:F0} MiB (at start {rssStart / 1048576.0:F0} MiB)");
        AnsiConsole.Write(table);
        return 0;
    }
}
