namespace PianoJudges.Competition;

/// <param name="RoundSizes">Number of candidates each round was asked to keep.</param>
/// <param name="Survivors">Survivors[k] = candidate ids kept by round k (best first).</param>
/// <param name="RoundsPassed">(numCandidates) rounds survived, 0 for a candidate outside the field or out in the first round.</param>
public sealed record SimulatedCompetition(int[] RoundSizes, int[][] Survivors, int[] RoundsPassed);

/// <param name="Round">1-based round: "passed at least Round rounds".</param>
/// <param name="Real">Candidates who really passed it.</param>
/// <param name="Simulated">Candidates the simulation let through.</param>
/// <param name="Overlap">Candidates in both.</param>
public readonly record struct RoundAgreement(int Round, int Real, int Simulated, int Overlap);

/// <param name="Rounds">Per-round agreement of the two sets of survivors.</param>
/// <param name="KendallTauB">Between simulated and real rounds passed, ties allowed.</param>
/// <param name="SpearmanRho">Between simulated and real rounds passed, ties allowed.</param>
public sealed record CompetitionComparison(RoundAgreement[] Rounds, double KendallTauB, double SpearmanRho);

/// <summary>
/// A competition replayed from pair predictions: each round recounts wins over the pairs among the candidates still in,
/// ranks them (<see cref="WinCounts.Ranking"/>) and keeps the round's quota.
/// </summary>
public static class CompetitionSimulation
{
    /// <summary>Rounds that halve the field in the released code (Prelim., Stage I, II, III) before the final.</summary>
    public const int ReleasedHalvings = 4;

    /// <summary>Candidates the released code keeps in its last ("Final") round.</summary>
    public const int ReleasedFinalSize = 6;

    /// <summary>The released code's schedule: floor-halve the field <see cref="ReleasedHalvings"/> times, then keep <see cref="ReleasedFinalSize"/>. 113 -> 56, 28, 14, 7, 6.
    /// A round never keeps fewer than one (the released code would keep none once a small field halves to 0).</summary>
    public static int[] ReleasedSchedule(int fieldSize)
    {
        if (fieldSize < 1) throw new ArgumentOutOfRangeException(nameof(fieldSize), fieldSize, "The field needs at least one candidate.");
        var sizes = new List<int>();
        int s = fieldSize;
        for (int k = 0; k < ReleasedHalvings; k++) sizes.Add(s = Math.Max(1, s / 2));
        sizes.Add(Math.Min(ReleasedFinalSize, s));
        return sizes.ToArray();
    }

    /// <summary>The real round sizes in the scores: size_k = #{candidates with score &gt;= k}, k = 1..max score.</summary>
    public static int[] RoundSizes(IReadOnlyList<int> scores)
    {
        if (scores.Count == 0) throw new ArgumentException("'scores' is empty.", nameof(scores));
        int max = scores.Max();
        return Enumerable.Range(1, Math.Max(0, max)).Select(k => scores.Count(s => s >= k)).ToArray();
    }

    /// <summary>
    /// The real round sizes scaled to a field of <paramref name="fieldSize"/>: round(fieldSize * size_k / realField)
    /// (half away from zero), at least 1 and never more than the round before. Equal to <see cref="RoundSizes"/> when the fields match.
    /// </summary>
    public static int[] ScaledSchedule(int fieldSize, IReadOnlyList<int> realScores)
    {
        if (fieldSize < 1) throw new ArgumentOutOfRangeException(nameof(fieldSize), fieldSize, "The field needs at least one candidate.");
        var real = RoundSizes(realScores);
        var sizes = new int[real.Length];
        int previous = fieldSize;
        for (int k = 0; k < real.Length; k++)
        {
            int s = (int)Math.Round((double)fieldSize * real[k] / realScores.Count, MidpointRounding.AwayFromZero);
            sizes[k] = previous = Math.Clamp(s, 1, previous);
        }
        return sizes;
    }

    /// <summary>
    /// Plays the rounds. <paramref name="field"/> = the candidates entering round 1 (default: every id that appears in a
    /// prediction). A round keeps min(quota, candidates still in). Under <see cref="WinCountMode.Faithful"/> the released
    /// code's win counts are used and a candidate with no win at all cannot be kept (it is missing from its index).
    /// </summary>
    public static SimulatedCompetition Simulate(int numCandidates, IReadOnlyList<PairPrediction> predictions, IReadOnlyList<int> roundSizes,
        WinCountMode mode = WinCountMode.Corrected, IReadOnlyList<int>? field = null)
    {
        if (roundSizes.Count == 0) throw new ArgumentException("A competition needs at least one round.", nameof(roundSizes));
        for (int k = 0; k < roundSizes.Count; k++)
            if (roundSizes[k] < 1) throw new ArgumentException($"roundSizes[{k}] = {roundSizes[k]}: a round keeps at least one candidate.", nameof(roundSizes));
        field ??= predictions.SelectMany(p => new[] { p.First, p.Second }).Distinct().Order().ToArray();
        CompetitionPairs.CheckCandidates(field, numCandidates);

        var inRound = new bool[numCandidates];
        foreach (int c in field) inRound[c] = true;
        var passed = new int[numCandidates];
        var survivors = new int[roundSizes.Count][];
        for (int k = 0; k < roundSizes.Count; k++)
        {
            var wins = WinCounts.CountListed(numCandidates, predictions.Where(p => inRound[p.First] && inRound[p.Second]), mode, out var listed);
            var kept = WinCounts.Ranking(wins)
                .Where(c => inRound[c] && (mode == WinCountMode.Corrected || listed[c]))
                .Take(roundSizes[k]).ToArray();
            survivors[k] = kept;
            Array.Clear(inRound);
            foreach (int c in kept) { inRound[c] = true; passed[c]++; }
        }
        return new SimulatedCompetition(roundSizes.ToArray(), survivors, passed);
    }

    /// <summary>Round-by-round agreement and rank correlations between simulated and real rounds passed, over the same candidates.</summary>
    public static CompetitionComparison Compare(IReadOnlyList<int> simulatedRoundsPassed, IReadOnlyList<int> realRoundsPassed)
    {
        if (simulatedRoundsPassed.Count != realRoundsPassed.Count)
            throw new ArgumentException($"{simulatedRoundsPassed.Count} simulated but {realRoundsPassed.Count} real outcomes: they must be the same candidates.", nameof(realRoundsPassed));
        int max = Math.Max(simulatedRoundsPassed.DefaultIfEmpty(0).Max(), realRoundsPassed.DefaultIfEmpty(0).Max());
        var rounds = new RoundAgreement[max];
        for (int k = 1; k <= max; k++)
        {
            int real = 0, sim = 0, both = 0;
            for (int c = 0; c < realRoundsPassed.Count; c++)
            {
                bool r = realRoundsPassed[c] >= k, s = simulatedRoundsPassed[c] >= k;
                if (r) real++;
                if (s) sim++;
                if (r && s) both++;
            }
            rounds[k - 1] = new RoundAgreement(k, real, sim, both);
        }
        return new CompetitionComparison(rounds,
            RankCorrelation.KendallTauB(simulatedRoundsPassed, realRoundsPassed),
            RankCorrelation.SpearmanRho(simulatedRoundsPassed, realRoundsPassed));
    }
}
