namespace PianoJudges.Probing;

using System.Diagnostics;
using System.Text.Json;
using PianoJudges.Data;
using PianoJudges.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>What one epoch did; reported through IProgress and kept as the training curve.</summary>
/// <param name="Epoch">1-based.</param>
/// <param name="ValidationAccuracy">Plain accuracy for the progress display (multi-label: per-label agreement); task metrics come from lib/Metrics.</param>
/// <param name="Improved">Validation loss was the best so far (the checkpoint selected).</param>
public sealed record EpochReport(int Epoch, double TrainLoss, double ValidationLoss, double ValidationAccuracy, bool Improved, double Seconds);

/// <summary>Raw outputs on a set of examples: per-item probabilities, predictions and labels.</summary>
/// <param name="Probabilities">(N, K): softmax over classes or sigmoid per label.</param>
/// <param name="PredictedClass">Single-label: argmax per item; empty for multi-label.</param>
/// <param name="TrueClass">Single-label labels; empty for multi-label.</param>
/// <param name="PredictedLabels">Multi-label: probability > 0.5 per label; empty for single-label.</param>
/// <param name="TrueLabels">Multi-label targets; empty for single-label.</param>
/// <param name="Loss">Mean loss as trained (mode and weights included).</param>
public sealed record ProbeEvaluation(
    ObjectiveKind Kind,
    string[] Ids,
    float[][] Probabilities,
    int[] PredictedClass,
    int[] TrueClass,
    bool[][] PredictedLabels,
    bool[][] TrueLabels,
    double Loss)
{
    /// <summary>Fraction of correct items (single-label) or of correct item-label decisions (multi-label).</summary>
    public double Accuracy
    {
        get
        {
            if (Ids.Length == 0) return double.NaN;
            if (Kind == ObjectiveKind.SingleLabel)
                return PredictedClass.Zip(TrueClass).Count(p => p.First == p.Second) / (double)Ids.Length;
            int hit = 0, all = 0;
            for (int i = 0; i < Ids.Length; i++)
                for (int j = 0; j < TrueLabels[i].Length; j++, all++)
                    if (PredictedLabels[i][j] == TrueLabels[i][j]) hit++;
            return hit / (double)all;
        }
    }
}

/// <summary>The outcome of training: the selected model (best validation loss) and how it got there.</summary>
/// <param name="ResumedAfterEpoch">0 for a fresh run, else the epoch of the checkpoint resumed from.</param>
/// <param name="PeakLoaderBytes">Most host bytes the streaming loader held in batches at once.</param>
/// <param name="PeakWorkingSetBytes">Process peak working set at the end (includes libtorch).</param>
public sealed record ProbeTrainingResult(
    AudioCNNTransformer Model,
    IReadOnlyList<EpochReport> Curve,
    int BestEpoch,
    double BestValidationLoss,
    bool StoppedEarly,
    int ResumedAfterEpoch,
    long PeakLoaderBytes,
    long PeakWorkingSetBytes);

/// <summary>
/// Trains the prediction head on one task: Adam, selection on validation loss, early stopping, a resumable
/// checkpoint each epoch (written atomically), deterministic for a seed on CPU.
/// </summary>
public sealed class ProbeTrainer
{
    private const string Magic = "PianoJudges.ProbeCheckpoint/1";
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
    private readonly ProbeTaskData task;
    private readonly ProbeTrainingOptions options;
    private readonly StreamingBatchLoader loader;

    /// <param name="frames">T of ONE recording's segment (the head sees T x InputsPerExample).</param>
    /// <param name="dim">D.</param>
    public ProbeTrainer(ProbeTaskData task, IEmbeddingSource source, int frames, int dim, ProbeTrainingOptions options)
    {
        TorchRuntime.EnsureInitialised();
        task.Objective.Validate();
        if (task.Train.Count == 0) throw new ArgumentException($"task '{task.Name}' has no training examples");
        if (task.Validation.Count == 0) throw new ArgumentException($"task '{task.Name}' has no validation examples (selection needs them)");
        if (options.BatchSize < 1) throw new ArgumentException($"batch size {options.BatchSize} must be at least 1");
        this.task = task;
        this.options = options;
        HeadConfig = task.HeadConfig(frames, dim, options.Mode) with { Segments = options.Segments };
        HeadConfig.Validate();
        Shape = new ProbeInputShape(HeadConfig.Segments, frames, dim, task.InputsPerExample);
        loader = new StreamingBatchLoader(source, Shape, options.MemoryBudgetBytes);
        Device = ResolveDevice(options.Device);
    }

    public ProbeHeadConfig HeadConfig { get; }
    public ProbeInputShape Shape { get; }
    public Device Device { get; }

    /// <summary>"cuda" when requested or (null) when available, else cpu; an unavailable "cuda" is an error.</summary>
    public static Device ResolveDevice(string? name)
    {
        TorchRuntime.EnsureInitialised();
        return name switch
        {
            null => cuda.is_available() ? CUDA : CPU,
            "cpu" => CPU,
            "cuda" => cuda.is_available() ? CUDA : throw new ArgumentException("device 'cuda' requested but torch.cuda.is_available() is false"),
            _ => throw new ArgumentException($"unknown device '{name}'; expected cpu or cuda"),
        };
    }

    /// <summary>A fresh head with the seed's initial weights.</summary>
    public AudioCNNTransformer CreateModel()
    {
        random.manual_seed(options.Seed);
        var model = new AudioCNNTransformer(HeadConfig);
        model.to(Device);
        return model;
    }

    public ProbeTrainingResult Train(IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options.Threads is int threads) set_num_threads(threads);
        var model = CreateModel();
        using var optimizer = optim.Adam(model.parameters(), lr: options.LearningRate, weight_decay: options.WeightDecay);
        var state = new TrainingState();
        byte[] best = Snapshot(model);
        string? ckpt = options.CheckpointDirectory is null ? null : Path.Combine(options.CheckpointDirectory, "last.ckpt");
        // A run killed inside a write leaves its temporary file (never read as a result): sweep those of dead writers.
        if (options.CheckpointDirectory is not null) AtomicFile.RemoveStaleTemporaryFiles(options.CheckpointDirectory);
        if (ckpt is not null && options.Resume && File.Exists(ckpt))
        {
            (state, best) = LoadCheckpoint(ckpt, model, optimizer);
            // last.ckpt is written before best.pt: a run killed between the two left an older best.pt behind.
            string bestPath = Path.Combine(options.CheckpointDirectory!, "best.pt");
            if (state.BestEpoch > 0 && (!File.Exists(bestPath) || !File.ReadAllBytes(bestPath).AsSpan().SequenceEqual(best)))
                AtomicFile.WriteAllBytes(bestPath, best);
        }
        int resumedAfter = state.Epoch;

        while (state.Epoch < options.MaxEpochs && !state.Stopped)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int epoch = state.Epoch + 1;
            var clock = Stopwatch.StartNew();
            // Dropout and shuffling depend only on (seed, epoch), so a resumed run repeats the same numbers.
            random.manual_seed((long)(ProbeRandom.Derive(options.Seed, 0xE90C, epoch).NextUInt64() >> 1));
            var order = ProbeRandom.Derive(options.Seed, 0x5EED, epoch).Permutation(task.Train.Count);
            double trainLoss = TrainEpoch(model, optimizer, order, cancellationToken);
            var val = Evaluate(model, task.Validation, cancellationToken);

            bool improved = val.Loss < state.BestLoss;
            if (improved)
            {
                state.BestLoss = val.Loss;
                state.BestEpoch = epoch;
                state.SinceImproved = 0;
                best = Snapshot(model);
            }
            else state.SinceImproved++;
            var report = new EpochReport(epoch, trainLoss, val.Loss, val.Accuracy, improved, clock.Elapsed.TotalSeconds);
            state.Curve.Add(report);
            state.Epoch = epoch;
            state.Stopped = options.Patience is int p && state.SinceImproved >= p;
            if (ckpt is not null)
            {
                SaveCheckpoint(ckpt, state, model, optimizer, best);
                if (improved) AtomicFile.WriteAllBytes(Path.Combine(options.CheckpointDirectory!, "best.pt"), best);
            }
            progress?.Report(report);
        }

        Restore(model, best);
        return new ProbeTrainingResult(model, state.Curve, state.BestEpoch, state.BestLoss, state.Stopped, resumedAfter,
            loader.PeakBytes, Process.GetCurrentProcess().PeakWorkingSet64);
    }

    /// <summary>Outputs of <paramref name="model"/> (eval mode) on <paramref name="examples"/>, in their order.</summary>
    public ProbeEvaluation Evaluate(AudioCNNTransformer model, IReadOnlyList<ProbeExample> examples, CancellationToken cancellationToken = default)
    {
        var obj = task.Objective;
        int k = obj.Classes;
        var ids = new List<string>();
        var probs = new List<float[]>();
        var predClass = new List<int>();
        var trueClass = new List<int>();
        var predLabels = new List<bool[]>();
        var trueLabels = new List<bool[]>();
        double lossSum = 0;
        model.eval();
        using (no_grad())
        {
            var order = Enumerable.Range(0, examples.Count).ToArray();
            foreach (var batch in loader.Batches(examples, options.EvalBatchSize ?? options.BatchSize, order, cancellationToken))
            {
                using var owned = batch;
                using var scope = NewDisposeScope();
                var (x, m, y) = Tensors(batch);
                var logits = model.forward(x, m);
                lossSum += obj.Loss(logits, y, options.Mode).item<float>() * batch.Count;
                var p = obj.Probabilities(logits).cpu().data<float>().ToArray();
                for (int i = 0; i < batch.Count; i++)
                {
                    var ex = batch.Examples[i];
                    var row = p.AsSpan(i * k, k).ToArray();
                    ids.Add(ex.Id);
                    probs.Add(row);
                    if (obj.Kind == ObjectiveKind.SingleLabel)
                    {
                        predClass.Add(ArgMax(row));
                        trueClass.Add(ex.Label);
                    }
                    else
                    {
                        predLabels.Add(row.Select(v => v > 0.5f).ToArray());
                        trueLabels.Add(ex.Targets!.Select(v => v > 0.5f).ToArray());
                    }
                }
            }
        }
        return new ProbeEvaluation(obj.Kind, ids.ToArray(), probs.ToArray(), predClass.ToArray(), trueClass.ToArray(),
            predLabels.ToArray(), trueLabels.ToArray(), examples.Count == 0 ? double.NaN : lossSum / examples.Count);
    }

    private double TrainEpoch(AudioCNNTransformer model, OptimizerHelper optimizer, int[] order, CancellationToken ct)
    {
        model.train();
        double sum = 0;
        int n = 0;
        foreach (var batch in loader.Batches(task.Train, options.BatchSize, order, ct))
        {
            using var owned = batch; // the inputs are a view of its buffer: keep it until the step is done
            using var scope = NewDisposeScope();
            var (x, m, y) = Tensors(batch);
            optimizer.zero_grad();
            var loss = task.Objective.Loss(model.forward(x, m), y, options.Mode);
            loss.backward();
            optimizer.step();
            sum += loss.item<float>() * batch.Count;
            n += batch.Count;
        }
        return sum / n;
    }

    private (Tensor X, Tensor Mask, Tensor Y) Tensors(ProbeBatch batch) =>
        (batch.InputTensor(Device), batch.MaskTensor(Device), batch.TargetTensor(task.Objective, Device));

    private static int ArgMax(float[] row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }

    /// <summary>A head with the weights of a best.pt written by <see cref="Train"/> (same task, encoder shape and head config).</summary>
    public AudioCNNTransformer LoadModel(string bestPath)
    {
        var model = CreateModel();
        try { Restore(model, File.ReadAllBytes(bestPath)); }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"{bestPath}: not a checkpoint of this head ({HeadConfig}): {e.Message}", e);
        }
        return model;
    }

    private static byte[] Snapshot(nn.Module model)
    {
        using var ms = new MemoryStream();
        model.save(ms);
        return ms.ToArray();
    }

    private static void Restore(nn.Module model, byte[] weights)
    {
        using var ms = new MemoryStream(weights);
        model.load(ms);
    }

    /// <summary>Identity of a run: a checkpoint of another task, head or setting is refused, not silently mixed.</summary>
    private string Fingerprint() => JsonSerializer.Serialize(new
    {
        task = task.Name,
        task.Train.Count,
        head = HeadConfig.ToString(),
        options.LearningRate,
        options.BatchSize,
        options.WeightDecay,
        options.Seed,
        mode = options.Mode.ToString(),
    });

    private void SaveCheckpoint(string path, TrainingState state, nn.Module model, OptimizerHelper optimizer, byte[] best) =>
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(Fingerprint());
            w.Write(JsonSerializer.Serialize(state, Json));
            w.Write(best.Length);
            w.Write(best);
            model.save(w);
            optimizer.save_state_dict(w);
        });

    private (TrainingState, byte[]) LoadCheckpoint(string path, nn.Module model, OptimizerHelper optimizer)
    {
        using var fs = File.OpenRead(path);
        using var r = new BinaryReader(fs, System.Text.Encoding.UTF8);
        string magic;
        try { magic = r.ReadString(); }
        catch (EndOfStreamException) { magic = ""; }
        if (magic != Magic) throw new InvalidDataException($"'{path}' is not a probe checkpoint (expected header '{Magic}')");
        string fp = r.ReadString();
        if (fp != Fingerprint())
            throw new InvalidDataException(
                $"checkpoint '{path}' belongs to another run ({fp}); this run is {Fingerprint()}. Use another checkpoint directory or delete it.");
        var state = JsonSerializer.Deserialize<TrainingState>(r.ReadString(), Json)
                    ?? throw new InvalidDataException($"checkpoint '{path}' has no training state");
        byte[] best = r.ReadBytes(r.ReadInt32());
        model.load(r);
        optimizer.load_state_dict(r);
        return (state, best);
    }

    private sealed class TrainingState
    {
        public int Epoch { get; set; }
        public double BestLoss { get; set; } = double.PositiveInfinity;
        public int BestEpoch { get; set; }
        public int SinceImproved { get; set; }
        public bool Stopped { get; set; }
        public List<EpochReport> Curve { get; set; } = [];
    }
}
