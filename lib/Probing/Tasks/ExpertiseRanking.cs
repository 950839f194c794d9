namespace PianoJudges.Probing.Tasks;

/// <summary>How recordings of a split are paired.</summary>
public enum PairingMode
{
    /// <summary>
    /// The released "once" mode: for each level pair (0,1), (1,2), (0,2) the two levels' lists are zipped,
    /// so a recording meets one recording of each other level (two pairs). 449 recordings per level give
    /// 3 x 449 x 2 orders = 2694 training pairs, the paper's count.
    /// </summary>
    OncePerLevelPair,
    /// <summary>Each recording in exactly one pair: every level is halved and each half meets one other level.</summary>
    OncePerRecording,
}

/// <param name="Ways">2 (R2: which is better) or 4 (R4: the signed level difference).</param>
/// <param name="BalanceLevels">Sample every level down to the smallest level's size before splitting (as released).</param>
/// <param name="TrainFraction">Per level, used only when the recordings carry no published split.</param>
public sealed record ExpertiseRankingOptions(
    int Ways = 2,
    PairingMode Pairing = PairingMode.OncePerLevelPair,
    bool BalanceLevels = true,
    double TrainFraction = 0.8,
    double ValidationFraction = 0.1,
    long Seed = 13);

/// <summary>
/// Performer expertise ranking: a pair of recordings of different levels (0 beginner, 1 advanced, 2 virtuoso),
/// concatenated along time, is classified by which is better (R2) or by how many levels apart (R4).
/// </summary>
public static class ExpertiseRanking
{
    public const int Levels = 3;

    /// <summary>
    /// The paper's Eq. 1 with the released label convention (dataset.py, create_once_pairs):
    /// R2: 0 when the FIRST recording has the higher level, else 1.
    /// R4: the level difference d = level(second) - level(first) in {-2, -1, 1, 2} maps to 0, 1, 2, 3,
    /// so 0 = first better by two levels, 3 = second better by two; R2 = (R4 >= 2), and swapping the pair
    /// maps a label y to 1 - y (R2) or 3 - y (R4).
    /// </summary>
    public static int PairLabel(int levelFirst, int levelSecond, int ways)
    {
        CheckLevel(levelFirst);
        CheckLevel(levelSecond);
        if (levelFirst == levelSecond)
            throw new ArgumentException($"a ranking pair needs two different levels, got {levelFirst} and {levelSecond}");
        int d = levelSecond - levelFirst;
        return ways switch
        {
            2 => levelFirst > levelSecond ? 0 : 1,
            4 => d < 0 ? d + 2 : d + 1,
            _ => throw new ArgumentException($"ranking has 2 or 4 ways, got {ways}"),
        };
    }

    /// <summary>
    /// Pairs of recordings of ONE split: only different levels, each pair in both orders (so labels carry
    /// no position bias). Level lists are shuffled with <paramref name="seed"/> before pairing.
    /// </summary>
    public static List<ProbeExample> BuildPairs(IReadOnlyList<LabelledRecording> recordings, int ways, PairingMode pairing, long seed)
    {
        if (ways is not (2 or 4)) throw new ArgumentException($"ranking has 2 or 4 ways, got {ways}");
        var byLevel = ByLevel(recordings);
        for (int l = 0; l < Levels; l++) ProbeRandom.Derive(seed, 0x9A1, l).Shuffle(byLevel[l]);

        var matches = new List<(IList<LabelledRecording> Lower, IList<LabelledRecording> Higher)>();
        if (pairing == PairingMode.OncePerLevelPair)
        {
            matches.Add((byLevel[0], byLevel[1]));
            matches.Add((byLevel[1], byLevel[2]));
            matches.Add((byLevel[0], byLevel[2]));
        }
        else
        {
            var halves = byLevel.Select(l => (A: l.Take(l.Count / 2).ToList(), B: l.Skip(l.Count / 2).ToList())).ToArray();
            matches.Add((halves[0].A, halves[1].A));
            matches.Add((halves[1].B, halves[2].A));
            matches.Add((halves[0].B, halves[2].B));
        }

        var pairs = new List<ProbeExample>();
        foreach (var (lower, higher) in matches)
        {
            foreach (var (a, b) in lower.Zip(higher))
            {
                pairs.Add(Pair(a, b, ways));
                pairs.Add(Pair(b, a, ways));
            }
        }
        return pairs;
    }

    /// <summary>
    /// Splits every level into train/validation/test (the published split when the recordings carry one),
    /// THEN pairs within each split, so no recording is shared across splits.
    /// </summary>
    public static ProbeTaskData Build(IReadOnlyList<LabelledRecording> recordings, ExpertiseRankingOptions options)
    {
        var byLevel = ByLevel(recordings);
        if (byLevel.Any(l => l.Count == 0))
            throw new ArgumentException($"expertise ranking needs recordings of all {Levels} levels; counts are {string.Join(", ", byLevel.Select(l => l.Count))}");
        if (options.BalanceLevels)
        {
            int min = byLevel.Min(l => l.Count);
            for (int l = 0; l < Levels; l++)
            {
                ProbeRandom.Derive(options.Seed, 0xBA1, l).Shuffle(byLevel[l]);
                byLevel[l] = byLevel[l].Take(min).ToList();
            }
        }
        var train = new List<LabelledRecording>();
        var validation = new List<LabelledRecording>();
        var test = new List<LabelledRecording>();
        for (int l = 0; l < Levels; l++)
        {
            var (tr, va, te) = GroupSplit.Assign(byLevel[l], r => r.AudioId, r => r.Group, r => r.Split,
                options.TrainFraction, options.ValidationFraction, options.Seed + l);
            train.AddRange(tr);
            validation.AddRange(va);
            test.AddRange(te);
        }
        var objective = new ProbeObjective(ObjectiveKind.SingleLabel, options.Ways);
        return new ProbeTaskData($"ranking-{options.Ways}", objective, 2,
            BuildPairs(train, options.Ways, options.Pairing, options.Seed),
            BuildPairs(validation, options.Ways, options.Pairing, options.Seed + 1),
            BuildPairs(test, options.Ways, options.Pairing, options.Seed + 2));
    }

    private static ProbeExample Pair(LabelledRecording first, LabelledRecording second, int ways) =>
        new($"{first.AudioId}|{second.AudioId}", [first.AudioId, second.AudioId], PairLabel(first.Label, second.Label, ways));

    private static List<LabelledRecording>[] ByLevel(IReadOnlyList<LabelledRecording> recordings)
    {
        var byLevel = Enumerable.Range(0, Levels).Select(_ => new List<LabelledRecording>()).ToArray();
        foreach (var r in recordings)
        {
            if (r.Label is < 0 or >= Levels)
                throw new ArgumentException($"recording '{r.AudioId}' has expertise level {r.Label}; expected 0 (beginner), 1 (advanced) or 2 (virtuoso)");
            byLevel[r.Label].Add(r);
        }
        return byLevel;
    }

    private static void CheckLevel(int level)
    {
        if (level is < 0 or >= Levels)
            throw new ArgumentException($"expertise level {level} is not 0, 1 or 2");
    }
}
