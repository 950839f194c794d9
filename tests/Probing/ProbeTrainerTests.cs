namespace PianoJudges.Tests.Probing;

using PianoJudges.Encoders;
using PianoJudges.Native;
using PianoJudges.Probing;
using PianoJudges.Probing.Tasks;

// The trainer seeds torch's global generator per epoch (dropout): another test drawing from it in between, or changing
// torch's thread count, changes the numbers that the seed and resume tests compare.
[Collection("GlobalTorchSeed")]
public class ProbeTrainerTests
{
    private const int T = 50, D = 30, Segments = 30;

    public ProbeTrainerTests() => TorchRuntime.EnsureInitialised();

    private sealed class Sync<T>(Action<T> act) : IProgress<T>
    {
        public void Report(T value) => act(value);
    }

    /// <summary>Recordings whose values are shifted by their label; between 10 and 30 real segments.</summary>
    private static (InMemoryEmbeddingSource Source, List<LabelledRecording> Items) Shifted(int classes, int perClass, float step, int seed)
    {
        var rng = new Random(seed);
        var source = new InMemoryEmbeddingSource();
        var items = new List<LabelledRecording>();
        for (int c = 0; c < classes; c++)
            for (int i = 0; i < perClass; i++)
            {
                string id = $"c{c}-{i}";
                source.Add(id, Synthetic.Embedding(rng, Segments, T, D, rng.Next(10, 31), (_, _, _) => c * step));
                items.Add(new LabelledRecording(id, c));
            }
        return (source, items);
    }

    [Fact]
    public void TwoWayRankingLearnsAPlantedLevelSignal()
    {
        var (source, items) = Shifted(3, 30, 0.6f, 1);
        var data = ExpertiseRanking.Build(items, new ExpertiseRankingOptions(2, TrainFraction: 0.6, ValidationFraction: 0.2));
        var trainer = new ProbeTrainer(data, source, T, D, Synthetic.Fast(4));
        var result = trainer.Train();
        var test = trainer.Evaluate(result.Model, data.Test);
        Assert.Equal(data.Test.Count, test.Ids.Length);
        Assert.True(test.Accuracy > 0.8, $"2-way test accuracy {test.Accuracy:F3}; curve {string.Join(", ", result.Curve.Select(c => $"{c.ValidationLoss:F3}/{c.ValidationAccuracy:F2}"))}");
    }

    [Fact]
    public void FourWayRankingLearnsAPlantedLevelSignal()
    {
        var (source, items) = Shifted(3, 30, 0.8f, 2);
        var r4 = ExpertiseRanking.Build(items, new ExpertiseRankingOptions(4, TrainFraction: 0.6, ValidationFraction: 0.2));
        var t4 = new ProbeTrainer(r4, source, T, D, Synthetic.Fast(6));
        var acc4 = t4.Evaluate(t4.Train().Model, r4.Test).Accuracy;
        Assert.True(acc4 > 0.6, $"4-way accuracy {acc4:F3} (chance 0.25)");
    }

    [Fact]
    public void DifficultyLearnsAPlantedGradeSignal()
    {
        var (source, items) = Shifted(3, 30, 0.8f, 5);
        // Henle 1, 4, 7: three difficulty classes, shifted by class.
        var henle = items.Select(r => r with { Label = 1 + 3 * r.Label }).ToList();
        var diff = PieceDifficulty.Build(henle, new PieceDifficultyOptions(3, TrainFraction: 0.6, ValidationFraction: 0.2));
        var td = new ProbeTrainer(diff, source, T, D, Synthetic.Fast(6));
        var eval = td.Evaluate(td.Train().Model, diff.Test);
        Assert.True(eval.Accuracy > 0.7, $"3-class difficulty accuracy {eval.Accuracy:F3} (chance 0.33)");
        Assert.All(eval.Probabilities, p => Assert.Equal(1.0, p.Sum(), 4));
    }

    [Fact]
    public void TechniquesLearnPlantedLabelsInTheirOwnSegments()
    {
        var rng = new Random(3);
        var source = new InMemoryEmbeddingSource();
        var items = new List<MultiLabelledRecording>();
        for (int i = 0; i < 80; i++)
        {
            var labels = Enumerable.Range(0, 7).Select(_ => rng.NextDouble() < 0.4).ToArray();
            source.Add($"t{i}", Synthetic.Embedding(rng, Segments, T, D, Segments, (s, _, _) => s / 4 < 7 && labels[s / 4] ? 1.5f : 0f));
            items.Add(new MultiLabelledRecording($"t{i}", labels));
        }
        var data = TechniqueRecognition.Build(items, new TechniqueRecognitionOptions(TrainFraction: 0.6, ValidationFraction: 0.2));
        var trainer = new ProbeTrainer(data, source, T, D, Synthetic.Fast(8));
        var eval = trainer.Evaluate(trainer.Train().Model, data.Test);
        for (int j = 0; j < 7; j++)
        {
            var pos = eval.Probabilities.Where((_, i) => eval.TrueLabels[i][j]).Select(p => p[j]).ToList();
            var neg = eval.Probabilities.Where((_, i) => !eval.TrueLabels[i][j]).Select(p => p[j]).ToList();
            Assert.True(pos.Average() > neg.Average() + 0.2, $"label {j}: mean p on positives {pos.Average():F2}, negatives {neg.Average():F2}");
        }
        Assert.True(eval.Accuracy > 0.8, $"per-label accuracy {eval.Accuracy:F3}");
    }

    private static (ProbeTaskData Data, InMemoryEmbeddingSource Source) SmallRanking()
    {
        var (source, items) = Shifted(3, 10, 0.6f, 4);
        return (ExpertiseRanking.Build(items, new ExpertiseRankingOptions(2, TrainFraction: 0.6, ValidationFraction: 0.2)), source);
    }

    [Fact]
    public void TheSameSeedGivesTheSameLossesAndAnotherSeedDoesNot()
    {
        var (data, source) = SmallRanking();
        double[] Run(long seed) => new ProbeTrainer(data, source, T, D, Synthetic.Fast(3) with { Seed = seed })
            .Train().Curve.SelectMany(c => new[] { c.TrainLoss, c.ValidationLoss }).ToArray();
        var a = Run(13);
        Assert.Equal(a, Run(13));
        Assert.NotEqual(a, Run(14));
    }

    [Fact]
    public void ResumingAfterAnInterruptionGivesTheUninterruptedNumbers()
    {
        var (data, source) = SmallRanking();
        string root = Path.Combine(Path.GetTempPath(), "pj-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            var straight = new ProbeTrainer(data, source, T, D, Synthetic.Fast(4, Path.Combine(root, "a")));
            var full = straight.Train();
            var fullEval = straight.Evaluate(full.Model, data.Test);

            var dir = Path.Combine(root, "b");
            using var cts = new CancellationTokenSource();
            var first = new ProbeTrainer(data, source, T, D, Synthetic.Fast(4, dir));
            Assert.ThrowsAny<OperationCanceledException>(() => first.Train(new Sync<EpochReport>(r => { if (r.Epoch == 2) cts.Cancel(); }), cts.Token));
            Assert.True(File.Exists(Path.Combine(dir, "last.ckpt")));
            Assert.True(File.Exists(Path.Combine(dir, "best.pt")));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(dir, ".*")));

            var again = new ProbeTrainer(data, source, T, D, Synthetic.Fast(4, dir));
            var resumed = again.Train();
            Assert.Equal(2, resumed.ResumedAfterEpoch);
            Assert.Equal(full.Curve.Select(c => (c.TrainLoss, c.ValidationLoss)), resumed.Curve.Select(c => (c.TrainLoss, c.ValidationLoss)));
            Assert.Equal(full.BestEpoch, resumed.BestEpoch);
            Assert.Equal(fullEval.Probabilities, again.Evaluate(resumed.Model, data.Test).Probabilities);

            var other = new ProbeTrainer(data, source, T, D, Synthetic.Fast(4, dir) with { LearningRate = 1e-2 });
            var e = Assert.Throws<InvalidDataException>(() => other.Train());
            Assert.Contains("another run", e.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void TrainingStopsWhenValidationLossStopsImproving()
    {
        var (data, source) = SmallRanking();
        var reports = new List<EpochReport>();
        // lr 0: the weights never change, so only the first epoch improves the validation loss.
        var result = new ProbeTrainer(data, source, T, D, Synthetic.Fast(50) with { LearningRate = 0, Patience = 2 })
            .Train(new Sync<EpochReport>(reports.Add));
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.Curve.Count);
        Assert.Equal(result.Curve, reports);
        Assert.Equal(1, result.BestEpoch);
        Assert.Equal([true, false, false], reports.Select(r => r.Improved));
        Assert.InRange(result.PeakLoaderBytes, 1, Synthetic.Fast(1).MemoryBudgetBytes);
    }
}
