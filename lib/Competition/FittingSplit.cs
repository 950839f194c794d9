using PianoJudges.Data;
using PianoJudges.Metrics;

namespace PianoJudges.Competition;

/// <summary>How the "fitting" experiment divides the competition field.</summary>
public enum FittingSplitMode
{
    /// <summary>
    /// Default. Candidates are split, never pairs: no candidate appears on both sides. Stratified by score:
    /// candidates are ordered by score, shuffled (seeded) within each score, and every candidate at position k
    /// (0-based) with floor((k + 1) f) &gt; floor(k f) goes to training, so each score level is split in proportion f.
    /// </summary>
    ByCandidate,
    /// <summary>
    /// The released code: train on the pairs of the first floor(N f) candidates in file order, and test on ALL pairs
    /// of all candidates (its test loader uses split_ratio 0), so every training pair is also tested.
    /// </summary>
    Faithful,
}

/// <param name="TrainCandidates">Candidate ids whose pairs are used for fitting.</param>
/// <param name="TestCandidates">Candidate ids whose pairs are evaluated (all candidates under <see cref="FittingSplitMode.Faithful"/>).</param>
public sealed record FittingSplit(FittingSplitMode Mode, int[] TrainCandidates, int[] TestCandidates, PairSet Train, PairSet Test)
{
    /// <summary>The ICPC fitting fraction of the released code (split_ratio 0.5).</summary>
    public const double ReleasedTrainFraction = 0.5;

    /// <summary>Splits the field given each candidate's score (candidate id = index; file order = index order).</summary>
    public static FittingSplit Create(IReadOnlyList<int> scores, FittingSplitMode mode = FittingSplitMode.ByCandidate,
        double trainFraction = ReleasedTrainFraction, ulong seed = 13)
    {
        if (!(trainFraction > 0 && trainFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(trainFraction), trainFraction, "The training fraction must be in (0, 1).");
        int n = scores.Count;
        int[] train, test;
        if (mode == FittingSplitMode.Faithful)
        {
            train = Enumerable.Range(0, (int)(n * trainFraction)).ToArray();
            test = Enumerable.Range(0, n).ToArray();
        }
        else
        {
            var rng = new SplitMix64(seed);
            var order = Enumerable.Range(0, n).ToArray();
            rng.Shuffle(order);
            order = order.OrderBy(c => scores[c]).ToArray(); // stable: keeps the shuffled order within a score
            var tr = new List<int>(); var te = new List<int>();
            for (int k = 0; k < n; k++)
                (Math.Floor((k + 1) * trainFraction) > Math.Floor(k * trainFraction) ? tr : te).Add(order[k]);
            train = tr.Order().ToArray();
            test = te.Order().ToArray();
        }
        return new FittingSplit(mode, train, test, CompetitionPairs.Build(scores, train), CompetitionPairs.Build(scores, test));
    }
}
