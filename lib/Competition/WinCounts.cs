namespace PianoJudges.Competition;

/// <summary>How wins are added up.</summary>
public enum WinCountMode
{
    /// <summary>Default: wins_c = #{predictions (c, x) with label FirstBetter} + #{predictions (x, c) with label SecondBetter}.</summary>
    Corrected,
    /// <summary>
    /// The released code (scripts/competition_rank.py) adds two pandas value_counts, one of wins as first and one of wins
    /// as second; a candidate missing from either (no win in that position) gets NaN, which fillna(0) turns into 0, so
    /// ALL of that candidate's wins are lost. A candidate with no win at all is missing from the index entirely
    /// and can never be selected by the simulated rounds.
    /// </summary>
    Faithful,
}

/// <param name="Threshold">Win count t.</param>
/// <param name="AtOrAbove">Candidates with wins &gt;= t.</param>
/// <param name="Passed">Of those, how many passed the preliminary round.</param>
/// <param name="HitRate">Passed / AtOrAbove.</param>
public readonly record struct HitRatePoint(int Threshold, int AtOrAbove, int Passed, double HitRate);

/// <param name="Points">One point per distinct win count, ascending threshold.</param>
/// <param name="CutoffThreshold">Win count of the candidate ranked ceil(N/2) (1-based, best first): the threshold that keeps half the field (more on ties).</param>
/// <param name="AtCutoff">The curve's point at <see cref="CutoffThreshold"/>.</param>
public sealed record HitRateCurve(HitRatePoint[] Points, int CutoffThreshold, HitRatePoint AtCutoff);

/// <summary>Win counts, the global ranking and the hit-rate curve of the paper's Figure 2.</summary>
public static class WinCounts
{
    /// <summary>Each candidate's wins over all predicted ordered pairs (both orders count); (numCandidates).</summary>
    public static int[] Count(int numCandidates, IEnumerable<PairPrediction> predictions, WinCountMode mode = WinCountMode.Corrected) =>
        CountListed(numCandidates, predictions, mode, out _);

    /// <summary>
    /// Ordered pairs each candidate appears in; (numCandidates). With equal-score pairs excluded this is
    /// N - (size of the candidate's own score group) per order, so it depends on the real outcome: divide wins by it
    /// (a win rate) or use <see cref="BradleyTerry"/> when comparing candidates from different score groups.
    /// </summary>
    public static int[] Appearances(int numCandidates, IEnumerable<PairPrediction> predictions)
    {
        var n = new int[numCandidates];
        foreach (var p in predictions)
        {
            if ((uint)p.First >= (uint)numCandidates || (uint)p.Second >= (uint)numCandidates)
                throw new ArgumentException($"Prediction ({p.First}, {p.Second}) names a candidate outside [0, {numCandidates - 1}].", nameof(predictions));
            n[p.First]++;
            n[p.Second]++;
        }
        return n;
    }

    /// <summary><paramref name="listed"/>: whether the candidate appears in the released code's summed value_counts index (has any win).</summary>
    internal static int[] CountListed(int numCandidates, IEnumerable<PairPrediction> predictions, WinCountMode mode, out bool[] listed)
    {
        var asFirst = new int[numCandidates];
        var asSecond = new int[numCandidates];
        foreach (var p in predictions)
        {
            if ((uint)p.First >= (uint)numCandidates || (uint)p.Second >= (uint)numCandidates)
                throw new ArgumentException($"Prediction ({p.First}, {p.Second}) names a candidate outside [0, {numCandidates - 1}].", nameof(predictions));
            if (p.First == p.Second)
                throw new ArgumentException($"Prediction ({p.First}, {p.Second}) pairs a candidate with itself.", nameof(predictions));
            if (PairLabel.Winner(p.First, p.Second, p.Predicted) == p.First) asFirst[p.First]++;
            else asSecond[p.Second]++;
        }
        var wins = new int[numCandidates];
        listed = new bool[numCandidates];
        for (int c = 0; c < numCandidates; c++)
        {
            listed[c] = asFirst[c] > 0 || asSecond[c] > 0;
            wins[c] = mode == WinCountMode.Faithful && (asFirst[c] == 0 || asSecond[c] == 0) ? 0 : asFirst[c] + asSecond[c];
        }
        return wins;
    }

    /// <summary>
    /// Candidate ids, most wins first; ties keep the lower id first (as pandas nlargest(keep="first") keeps index order:
    /// to reproduce the released code exactly, number candidates in ordinal order of their names, its sorted index).
    /// </summary>
    public static int[] Ranking(IReadOnlyList<int> wins) =>
        Enumerable.Range(0, wins.Count).OrderByDescending(c => wins[c]).ThenBy(c => c).ToArray();

    /// <summary>
    /// Figure 2's hit rate: for each win-count threshold t, the fraction of candidates with wins &gt;= t who passed the
    /// preliminary round, with the cut-off at half the field.
    /// </summary>
    public static HitRateCurve HitRate(IReadOnlyList<int> wins, IReadOnlyList<bool> passedPreliminary)
    {
        if (wins.Count == 0) throw new ArgumentException("'wins' is empty: the hit rate needs at least one candidate.", nameof(wins));
        if (wins.Count != passedPreliminary.Count)
            throw new ArgumentException($"'wins' has {wins.Count} candidates but 'passedPreliminary' has {passedPreliminary.Count}.", nameof(passedPreliminary));
        var thresholds = wins.Distinct().Order().ToArray();
        var points = new HitRatePoint[thresholds.Length];
        for (int k = 0; k < thresholds.Length; k++)
        {
            int at = 0, passed = 0;
            for (int c = 0; c < wins.Count; c++)
                if (wins[c] >= thresholds[k]) { at++; if (passedPreliminary[c]) passed++; }
            points[k] = new HitRatePoint(thresholds[k], at, passed, (double)passed / at);
        }
        var descending = wins.OrderDescending().ToArray();
        int cutoff = descending[(wins.Count + 1) / 2 - 1];
        return new HitRateCurve(points, cutoff, points.Single(p => p.Threshold == cutoff));
    }
}
