namespace PianoJudges.Competition;

/// <summary>
/// The 2-way pair label of the paper's Eq. 1, as the released code writes it (data_collection/dataset.py):
/// 0 when the FIRST candidate of the ordered pair is better (scored higher), 1 when the second is.
/// This is the only place the convention is written down; everything else asks this class.
/// </summary>
public static class PairLabel
{
    public const int FirstBetter = 0;
    public const int SecondBetter = 1;

    /// <summary>Label of the ordered pair (first, second) from their scores; the scores must differ.</summary>
    public static int FromScores(int scoreFirst, int scoreSecond) => scoreFirst == scoreSecond
        ? throw new ArgumentException($"Both candidates scored {scoreFirst}: an equal-score pair has no 2-way label.")
        : scoreFirst > scoreSecond ? FirstBetter : SecondBetter;

    /// <summary>The candidate the label says is better.</summary>
    public static int Winner(int first, int second, int label) => label switch
    {
        FirstBetter => first,
        SecondBetter => second,
        _ => throw new ArgumentOutOfRangeException(nameof(label), label, $"A 2-way pair label is {FirstBetter} or {SecondBetter}."),
    };
}

/// <summary>An ordered pair of candidates (ids = indices into the scores array) with its true 2-way <see cref="PairLabel"/>.</summary>
public readonly record struct CandidatePair(int First, int Second, int Label);

/// <summary>A model's 2-way decision on an ordered pair (<see cref="PairLabel"/> convention).</summary>
public readonly record struct PairPrediction(int First, int Second, int Predicted);

/// <param name="Pairs">Ordered pairs, both orders of each unordered pair: (a, b) immediately followed by (b, a).</param>
/// <param name="EqualScorePairsExcluded">Ordered pairs skipped because both candidates have the same score (each unordered pair counts twice).</param>
public sealed record PairSet(CandidatePair[] Pairs, int EqualScorePairsExcluded);

/// <summary>Pair construction for the ICPC-2015 study (paper section 5.1.1).</summary>
public static class CompetitionPairs
{
    /// <summary>
    /// Every ordered pair of distinct candidates with different scores (score = rounds passed).
    /// Candidates are taken in the order given (default: all, 0..scores.Length-1); for each i &lt; j in that order
    /// the pair (c_i, c_j) is followed by (c_j, c_i). The released code shuffles the pairs; shuffling is left to the trainer.
    /// Candidates without a score must be removed beforehand (the released code drops them too).
    /// </summary>
    public static PairSet Build(IReadOnlyList<int> scores, IReadOnlyList<int>? candidates = null)
    {
        for (int i = 0; i < scores.Count; i++)
            if (scores[i] < 0)
                throw new ArgumentException($"scores[{i}] = {scores[i]}: a score is a number of rounds passed (0 or more); drop candidates without one first.", nameof(scores));
        candidates ??= Enumerable.Range(0, scores.Count).ToArray();
        CheckCandidates(candidates, scores.Count);
        var pairs = new List<CandidatePair>(candidates.Count * (candidates.Count - 1));
        int equal = 0;
        for (int i = 0; i < candidates.Count; i++)
            for (int j = i + 1; j < candidates.Count; j++)
            {
                int a = candidates[i], b = candidates[j];
                if (scores[a] == scores[b]) { equal += 2; continue; }
                pairs.Add(new CandidatePair(a, b, PairLabel.FromScores(scores[a], scores[b])));
                pairs.Add(new CandidatePair(b, a, PairLabel.FromScores(scores[b], scores[a])));
            }
        return new PairSet(pairs.ToArray(), equal);
    }

    internal static void CheckCandidates(IReadOnlyList<int> candidates, int count)
    {
        var seen = new HashSet<int>();
        for (int i = 0; i < candidates.Count; i++)
        {
            if ((uint)candidates[i] >= (uint)count)
                throw new ArgumentException($"candidates[{i}] = {candidates[i]} is not a candidate id in [0, {count - 1}].", nameof(candidates));
            if (!seen.Add(candidates[i]))
                throw new ArgumentException($"candidates[{i}] = {candidates[i]} appears twice.", nameof(candidates));
        }
    }
}
