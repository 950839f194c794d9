namespace PianoJudges.Tests.Probing;

using PianoJudges.Encoders;
using PianoJudges.Probing;

/// <summary>Small random embeddings with a planted signal, for learning tests.</summary>
internal static class Synthetic
{
    /// <summary>(segments, t, d) Gaussian noise; <paramref name="plant"/> adds to values by (segment, frame, dim).</summary>
    public static Embedding Embedding(Random rng, int segments, int t, int d, int realSegments, Func<int, int, int, float>? plant = null)
    {
        var data = new float[segments * t * d];
        var mask = new bool[segments];
        for (int s = 0; s < realSegments; s++)
        {
            mask[s] = true;
            for (int f = 0; f < t; f++)
                for (int k = 0; k < d; k++)
                    data[(s * t + f) * d + k] = Gauss(rng) + (plant?.Invoke(s, f, k) ?? 0f);
        }
        return new Embedding(data, segments, t, d, mask);
    }

    public static float Gauss(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    /// <summary>Options for fast tests: a learning rate that learns in a few epochs, small batches, one thread.</summary>
    public static ProbeTrainingOptions Fast(int epochs, string? checkpoints = null) =>
        new(LearningRate: 1e-3, BatchSize: 8, WeightDecay: 0, MaxEpochs: epochs, Patience: null,
            MemoryBudgetBytes: 64L << 20, CheckpointDirectory: checkpoints, Device: "cpu");
}
