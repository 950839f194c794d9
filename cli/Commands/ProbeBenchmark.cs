namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using System.Diagnostics;
using PianoJudges.Native;
using PianoJudges.Probing;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// `pianojudges bench probe`: one training step (forward, backward, Adam) of the prediction head on
/// spectrogram-shaped batches (12 x 30 x 1500 x 128), single recordings and ranking pairs.
/// </summary>
public sealed class ProbeBenchmark : IBenchmark
{
    private const int Batch = 12, Frames = 1500, Dim = 128, Warmup = 1, Steps = 5;

    public string Name => "probe";
    public string Description => "Prediction-head training step (forward+backward+Adam) on spectrogram-shaped batches: ms per batch, recordings/s.";

    public int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        TorchRuntime.EnsureInitialised();
        var device = ProbeTrainer.ResolveDevice(null);
        // First, so that the process peak below is the streaming run's, not the synthetic batches'.
        Streaming(device, cancellationToken);
        var table = new Table().AddColumn("input").AddColumn("parameters").AddColumn("forward ms").AddColumn("ms / batch (fwd+bwd+Adam)").AddColumn("recordings / s");
        foreach (var (label, inputs, classes) in new[] { ("single 12x30x1500x128", 1, 9), ("pair 12x30x3000x128", 2, 2) })
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (forward, ms, parameters) = Measure(Frames * inputs, classes, device, cancellationToken);
            double recordings = Batch * inputs / (ms / 1000.0);
            table.AddRow(label, parameters.ToString("N0"), forward.ToString("F1"), ms.ToString("F1"), recordings.ToString("F1"));
        }
        AnsiConsole.MarkupLine($"device [bold]{device.type}[/], torch threads {get_num_threads()}, {Steps} timed steps after {Warmup} warm-up");
        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>
    /// One epoch of 9-class difficulty (batch 12) through the streaming loader on generated spectrogram-sized
    /// embeddings: a dataset twice the loader's budget.
    /// </summary>
    private static void Streaming(Device device, CancellationToken ct)
    {
        const int recordings = 96;
        const long budget = 1L << 30;
        var items = Enumerable.Range(0, recordings)
            .Select(i => new PianoJudges.Probing.Tasks.LabelledRecording($"r{i}", 1 + i % 9)).ToList();
        var task = PianoJudges.Probing.Tasks.PieceDifficulty.Build(items, new PianoJudges.Probing.Tasks.PieceDifficultyOptions());
        var options = ProbePresets.Difficulty with
        {
            BatchSize = Batch, MaxEpochs = 1, MemoryBudgetBytes = budget, Device = device.type == DeviceType.CUDA ? "cuda" : "cpu",
        };
        var trainer = new ProbeTrainer(task, new GeneratedSource(), Frames, Dim, options);
        var clock = Stopwatch.StartNew();
        var result = trainer.Train(cancellationToken: ct);
        long datasetBytes = recordings * trainer.Shape.BytesPerRecording;
        AnsiConsole.MarkupLine(
            $"streaming epoch (difficulty, batch {Batch}): {task.Train.Count} training + {task.Validation.Count} validation recordings " +
            $"in {clock.Elapsed.TotalSeconds:F1} s; dataset {datasetBytes / 1e6:F0} MB, loader budget {budget / 1e6:F0} MB, " +
            $"loader peak {result.PeakLoaderBytes / 1e6:F0} MB, process peak working set {result.PeakWorkingSetBytes / 1e6:F0} MB");
    }

    /// <summary>Embeddings made on request (as a disk cache would read them), so nothing is held between batches.</summary>
    private sealed class GeneratedSource : IEmbeddingSource
    {
        public PianoJudges.Encoders.Embedding Load(string audioId)
        {
            var rng = new Random(audioId.GetHashCode(StringComparison.Ordinal));
            var data = new float[30 * Frames * Dim];
            for (int i = 0; i < data.Length; i++) data[i] = (float)rng.NextDouble();
            return new PianoJudges.Encoders.Embedding(data, 30, Frames, Dim, Enumerable.Repeat(true, 30).ToArray());
        }
    }

    private static (double ForwardMs, double Ms, long Parameters) Measure(int frames, int classes, Device device, CancellationToken ct)
    {
        random.manual_seed(ProbePresets.Seed);
        using var model = new AudioCNNTransformer(new ProbeHeadConfig(frames, Dim, classes));
        model.to(device);
        model.train();
        var objective = new ProbeObjective(ObjectiveKind.SingleLabel, classes);
        using var optimizer = optim.Adam(model.parameters(), lr: ProbePresets.Ranking.LearningRate);
        using var x = randn(Batch, 30, frames, Dim, device: device);
        using var mask = ones(Batch, 30, dtype: ScalarType.Bool, device: device);
        using var y = randint(0, classes, [Batch], dtype: ScalarType.Int64, device: device);
        var clock = new Stopwatch();
        var forward = new Stopwatch();
        for (int step = 0; step < Warmup + Steps; step++)
        {
            ct.ThrowIfCancellationRequested();
            if (step == Warmup) clock.Start();
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            if (step >= Warmup) forward.Start();
            var loss = objective.Loss(model.forward(x, mask), y, ProbeMode.Corrected);
            _ = loss.item<float>();
            forward.Stop();
            loss.backward();
            optimizer.step();
            _ = loss.item<float>(); // waits for the device
        }
        return (forward.Elapsed.TotalMilliseconds / Steps, clock.Elapsed.TotalMilliseconds / Steps, model.parameters().Sum(p => p.numel()));
    }
}
