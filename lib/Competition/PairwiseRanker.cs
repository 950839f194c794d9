using PianoJudges.Native;
using PianoJudges.Probing;
using TorchSharp;
using static TorchSharp.torch;

namespace PianoJudges.Competition;

/// <summary>One epoch of fitting the ranking model on competition pairs.</summary>
public sealed record FitEpoch(int Epoch, double TrainLoss, double Seconds);

/// <summary>
/// The expertise-ranking head (<see cref="AudioCNNTransformer"/>, 2 recordings concatenated along time) applied to
/// competition pairs part by part: candidate a's part i against candidate b's part i, as the paper does.
/// </summary>
public static class PairwiseRanker
{
    /// <summary>Evaluation runs in blocks of this many part pairs, so progress can be reported between them.</summary>
    public const int BlockSize = 256;

    /// <summary>Parts compared for a pair: the first min(parts of a, parts of b).</summary>
    public static int SharedParts(Entrant a, Entrant b) => Math.Min(a.Parts, b.Parts);

    /// <summary>
    /// One probe example per pair and shared part: id "a|b#i", recordings [a's part i, b's part i], label = the pair's
    /// <see cref="PairLabel"/>. Examples of a pair are consecutive, parts in order.
    /// </summary>
    public static List<ProbeExample> PartExamples(IReadOnlyList<CandidatePair> pairs, IReadOnlyList<Entrant> entrants)
    {
        var examples = new List<ProbeExample>();
        foreach (var p in pairs)
        {
            Entrant a = entrants[p.First], b = entrants[p.Second];
            for (int i = 1; i <= SharedParts(a, b); i++)
                examples.Add(new ProbeExample($"{a.Id}|{b.Id}#{i}", [a.PartId(i), b.PartId(i)], p.Label));
        }
        return examples;
    }

    /// <summary>
    /// Per-part class probabilities of every pair: result[k] is (shared parts, classes) for pairs[k], from the model in
    /// eval mode (softmax over the head's 2 or 4 classes). Uses <see cref="ProbeTrainer.Evaluate"/>.
    /// </summary>
    public static double[][,] PartProbabilities(AudioCNNTransformer model, IReadOnlyList<CandidatePair> pairs, IReadOnlyList<Entrant> entrants,
        IEmbeddingSource source, ProbeTrainingOptions training, IProgress<(int Done, int Total, string Item)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var (frames, dim) = PerRecording(model.Config);
        var (examples, slots) = EvaluationOrder(pairs, entrants);
        var options = training with { Mode = model.Config.Mode, CheckpointDirectory = null };
        var objective = new ProbeObjective(ObjectiveKind.SingleLabel, model.Config.Classes);
        var result = new double[pairs.Count][,];
        for (int k = 0; k < pairs.Count; k++)
            result[k] = new double[SharedParts(entrants[pairs[k].First], entrants[pairs[k].Second]), model.Config.Classes];
        for (int start = 0; start < examples.Count; start += BlockSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report((start, examples.Count, $"part pairs {start + 1}-{Math.Min(start + BlockSize, examples.Count)} of {examples.Count}"));
            var block = examples.GetRange(start, Math.Min(BlockSize, examples.Count - start));
            var trainer = new ProbeTrainer(new ProbeTaskData("icpc2015-parts", objective, 2, block, block, []), source, frames, dim, options);
            Check(model.Config, trainer.HeadConfig);
            model.to(trainer.Device);
            var eval = trainer.Evaluate(model, block, cancellationToken);
            for (int k = 0; k < block.Count; k++)
            {
                if (eval.Ids[k] != block[k].Id) throw new InvalidOperationException($"evaluation returned '{eval.Ids[k]}' where '{block[k].Id}' was expected");
                var (pair, part) = slots[start + k];
                for (int c = 0; c < model.Config.Classes; c++) result[pair][part, c] = eval.Probabilities[k][c];
            }
        }
        progress?.Report((examples.Count, examples.Count, ""));
        return result;
    }

    /// <summary>Candidates per tile of <see cref="EvaluationOrder"/>.</summary>
    public const int Tile = 16;

    /// <summary>
    /// The part examples in the order they are evaluated, with the (pair index, 0-based part) each fills: part by part,
    /// and within a part tile by tile of <see cref="Tile"/> x <see cref="Tile"/> candidates, both orders of a pair together,
    /// so a source that keeps recent recordings (<see cref="CachedEmbeddingSource"/>) reads each part a few times, not once per opponent.
    /// </summary>
    public static (List<ProbeExample> Examples, List<(int Pair, int Part)> Slots) EvaluationOrder(IReadOnlyList<CandidatePair> pairs, IReadOnlyList<Entrant> entrants)
    {
        var keyed = new List<(int Part, int TileA, int TileB, int Low, int High, int First, int Pair)>();
        for (int k = 0; k < pairs.Count; k++)
        {
            var p = pairs[k];
            int low = Math.Min(p.First, p.Second), high = Math.Max(p.First, p.Second);
            for (int i = 0; i < SharedParts(entrants[p.First], entrants[p.Second]); i++)
                keyed.Add((i, low / Tile, high / Tile, low, high, p.First, k));
        }
        keyed.Sort();
        var examples = new List<ProbeExample>(keyed.Count);
        var slots = new List<(int, int)>(keyed.Count);
        foreach (var x in keyed)
        {
            var p = pairs[x.Pair];
            Entrant a = entrants[p.First], b = entrants[p.Second];
            examples.Add(new ProbeExample($"{a.Id}|{b.Id}#{x.Part + 1}", [a.PartId(x.Part + 1), b.PartId(x.Part + 1)], p.Label));
            slots.Add((x.Pair, x.Part));
        }
        return (examples, slots);
    }

    /// <summary>
    /// The paper's "fitting": a copy of <paramref name="model"/> trained further on the part examples of
    /// <paramref name="train"/> for <paramref name="epochs"/> epochs (Adam with the options' learning rate, batch and weight
    /// decay; no selection, the last weights are kept, as the released fit_test). The given model is not changed.
    /// Shuffling and dropout depend only on (seed, epoch). Only 2-class heads can be fitted (the pairs have 2-way labels).
    /// </summary>
    public static AudioCNNTransformer ContinueTraining(AudioCNNTransformer model, IReadOnlyList<CandidatePair> train, IReadOnlyList<Entrant> entrants,
        IEmbeddingSource source, ProbeTrainingOptions training, int epochs, IProgress<FitEpoch>? progress = null,
        CancellationToken cancellationToken = default)
    {
        TorchRuntime.EnsureInitialised();
        if (model.Config.Classes != 2)
            throw new ArgumentException($"fitting needs a 2-way ranking head; this one has {model.Config.Classes} classes (the competition pairs have 2-way labels)");
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Fitting needs at least one epoch.");
        var examples = PartExamples(train, entrants);
        if (examples.Count == 0) throw new ArgumentException("fitting has no training pairs (every candidate of the training half has the same score?)");
        if (training.Threads is int threads) set_num_threads(threads);
        var (frames, dim) = PerRecording(model.Config);
        var device = ProbeTrainer.ResolveDevice(training.Device);
        var fitted = Copy(model);
        fitted.to(device);
        var shape = new ProbeInputShape(model.Config.Segments, frames, dim, 2);
        var loader = new StreamingBatchLoader(source, shape, training.MemoryBudgetBytes);
        var objective = new ProbeObjective(ObjectiveKind.SingleLabel, 2);
        using var optimizer = optim.Adam(fitted.parameters(), lr: training.LearningRate, weight_decay: training.WeightDecay);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            random.manual_seed((long)(ProbeRandom.Derive(training.Seed, 0xF17E, epoch).NextUInt64() >> 1));
            var order = ProbeRandom.Derive(training.Seed, 0xF175, epoch).Permutation(examples.Count);
            fitted.train();
            double sum = 0;
            foreach (var batch in loader.Batches(examples, training.BatchSize, order, cancellationToken))
            {
                using var owned = batch; // the inputs may be a view of its buffer: keep it until the step is done
                using var scope = NewDisposeScope();
                var x = batch.InputTensor(device);
                var m = batch.MaskTensor(device);
                var y = batch.TargetTensor(objective, device);
                int count = batch.Count;
                optimizer.zero_grad();
                var loss = objective.Loss(fitted.forward(x, m), y, model.Config.Mode);
                loss.backward();
                optimizer.step();
                sum += loss.item<float>() * count;
            }
            progress?.Report(new FitEpoch(epoch, sum / examples.Count, clock.Elapsed.TotalSeconds));
        }
        fitted.eval();
        return fitted;
    }

    /// <summary>A new head with the same configuration and weights (on the CPU).</summary>
    public static AudioCNNTransformer Copy(AudioCNNTransformer model)
    {
        byte[] weights;
        using (var saved = new MemoryStream())
        {
            model.save(saved); // closes the stream; ToArray still works
            weights = saved.ToArray();
        }
        var copy = new AudioCNNTransformer(model.Config);
        using var ms = new MemoryStream(weights);
        copy.load(ms);
        return copy;
    }

    private static (int Frames, int Dim) PerRecording(ProbeHeadConfig config)
    {
        if (config.Frames % 2 != 0)
            throw new ArgumentException($"a ranking head sees two recordings concatenated along time, so its Frames ({config.Frames}) must be even");
        if (config.Classes is not (2 or 4))
            throw new ArgumentException($"a ranking head has 2 or 4 classes; this one has {config.Classes}");
        return (config.Frames / 2, config.Dim);
    }

    private static void Check(ProbeHeadConfig model, ProbeHeadConfig expected)
    {
        if (model != expected)
            throw new ArgumentException($"the ranking model's head ({model}) is not the 2-recording ranking head the competition pairs need ({expected})");
    }
}
