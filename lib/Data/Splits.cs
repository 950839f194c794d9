namespace PianoJudges.Data;

/// <summary>Rows of a manifest assigned to train, validation and test (a split may be empty).</summary>
public sealed record SplitAssignment(IReadOnlyList<ManifestRow> Train, IReadOnlyList<ManifestRow> Validation, IReadOnlyList<ManifestRow> Test)
{
    public IReadOnlyList<ManifestRow> this[string split] => split switch
    {
        "train" => Train, "validation" => Validation, "test" => Test,
        _ => throw new ArgumentException($"split '{split}' is not train, validation or test", nameof(split)),
    };

    /// <summary>The split holding the row with this id, or null.</summary>
    public string? SplitOf(string id) =>
        Train.Any(r => r.Id == id) ? "train" : Validation.Any(r => r.Id == id) ? "validation" : Test.Any(r => r.Id == id) ? "test" : null;
}

/// <summary>Fractions of rows for train / validation / test; they must sum to 1.</summary>
public sealed record SplitFractions(double Train = 0.70, double Validation = 0.15, double Test = 0.15)
{
    public static readonly SplitFractions Default = new();

    public void Check()
    {
        double[] f = [Train, Validation, Test];
        if (f.Any(x => !double.IsFinite(x) || x < 0) || Math.Abs(f.Sum() - 1) > 1e-9)
            throw new ArgumentException($"split fractions must be non-negative and sum to 1, got {Train}/{Validation}/{Test}");
    }
}

/// <summary>
/// Seeded, reproducible splits (all randomness from <see cref="SplitMix64"/>, so a seed gives the same split on any
/// .NET version). Two families: <c>Faithful*</c> reproduce what the paper's released code does, leakage and all;
/// the others never let a leakage group (Group, and rows sharing an audio file) cross splits.
/// </summary>
public static class Splits
{
    /// <summary>The released code's random_state, used as our default seed.</summary>
    public const ulong PaperSeed = 42;

    /// <summary>The released code's train share for expertise (data_collection/dataset.py, split_ratio 0.8).</summary>
    public const double PaperExpertiseTrainFraction = 0.8;

    /// <summary>
    /// The published split column (difficulty: the paper's 444 / 152 / 141). Rows without a split are left out.
    /// Note: the released code trains on 'train' and evaluates on 'test', never using 'validation'; and it resamples
    /// each grade with replacement to the largest grade's size before that (a sampler concern, not a split).
    /// </summary>
    public static SplitAssignment Published(Manifest manifest) => new(
        manifest.Rows.Where(r => r.Split == "train").ToList(),
        manifest.Rows.Where(r => r.Split == "validation").ToList(),
        manifest.Rows.Where(r => r.Split == "test").ToList());

    /// <summary>
    /// The released code's expertise split (ExpertiseDataloader): rows failing its duration filter (extra paper_keep=0)
    /// are dropped, each level is sampled without replacement to the smallest level's size, and the first 80% of each
    /// sample (by position) is train, the rest validation; there is no test split. pandas' sample(random_state=42)
    /// cannot be reproduced outside numpy, so the sample is drawn with <see cref="SplitMix64"/>(<paramref name="seed"/>):
    /// same sizes and procedure, other recordings.
    /// </summary>
    public static SplitAssignment FaithfulExpertise(Manifest manifest, ulong seed = PaperSeed, double trainFraction = PaperExpertiseTrainFraction)
    {
        var levels = Enumerable.Range(0, ExpertiseLevels.Names.Count)
            .Select(l => manifest.Rows.Where(r => r.Label == l && !(r.Extra?.GetValueOrDefault("paper_keep") == "0")).ToList())
            .ToList();
        int min = levels.Min(l => l.Count);
        int split = (int)(min * trainFraction);
        var train = new List<ManifestRow>();
        var validation = new List<ManifestRow>();
        var rng = new SplitMix64(seed);
        foreach (var level in levels)
        {
            var sample = rng.Sample(level, min);
            train.AddRange(sample.Take(split));
            validation.AddRange(sample.Skip(split));
        }
        return new SplitAssignment(train, validation, []);
    }

    /// <summary>
    /// Leakage-safe split by group: rows sharing a Group, or sharing an audio file, form one unit that goes whole into
    /// one split. Units are stratified by label (the label of their first row), shuffled with the seed, and each goes
    /// to the split furthest below its target row count (targets: round(n x fraction) per label, test takes the rest).
    /// With one row per unit (expertise recordings) the sizes per label are exact; with larger units they are within
    /// one unit of the target.
    /// </summary>
    public static SplitAssignment ByGroup(Manifest manifest, SplitFractions? fractions = null, ulong seed = PaperSeed)
    {
        fractions ??= SplitFractions.Default;
        fractions.Check();
        var units = Units(manifest.Rows);
        var train = new List<ManifestRow>();
        var validation = new List<ManifestRow>();
        var test = new List<ManifestRow>();
        var rng = new SplitMix64(seed);
        foreach (var stratum in units.GroupBy(u => u[0].Label ?? -1).OrderBy(g => g.Key))
        {
            var list = stratum.ToList();
            rng.Shuffle(list);
            int n = list.Sum(u => u.Count);
            int nTrain = (int)Math.Round(n * fractions.Train, MidpointRounding.AwayFromZero);
            int nVal = Math.Min(n - nTrain, (int)Math.Round(n * fractions.Validation, MidpointRounding.AwayFromZero));
            int[] target = [nTrain, nVal, n - nTrain - nVal];
            int[] have = new int[3];
            var outs = new[] { train, validation, test };
            foreach (var unit in list)
            {
                int best = 0;
                for (int s = 1; s < 3; s++)
                    if (target[s] - have[s] > target[best] - have[best]) best = s;
                outs[best].AddRange(unit);
                have[best] += unit.Count;
            }
        }
        return new SplitAssignment(train, validation, test);
    }

    /// <summary>Expertise by recording (group = recording), stratified by level, before any pairing. Default 70/15/15.</summary>
    public static SplitAssignment Expertise(Manifest manifest, SplitFractions? fractions = null, ulong seed = PaperSeed) =>
        ByGroup(manifest, fractions, seed);

    /// <summary>Difficulty by piece (group = CIPI id; pieces sharing a recording are kept together), stratified by grade.</summary>
    public static SplitAssignment Difficulty(Manifest manifest, SplitFractions? fractions = null, ulong seed = PaperSeed) =>
        ByGroup(manifest, fractions, seed);

    /// <summary>
    /// CIPI's own 5 folds: fold k's train/validation/test are the rows whose group (CIPI piece) the fold lists there.
    /// Rows whose piece no fold lists are returned in <paramref name="unassigned"/>.
    /// </summary>
    public static IReadOnlyList<SplitAssignment> CrossValidation(Manifest difficulty, DifficultyFolds folds, out IReadOnlyList<ManifestRow> unassigned)
    {
        var result = new List<SplitAssignment>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in folds.Folds)
        {
            var tr = f.Train.ToHashSet(StringComparer.Ordinal);
            var va = f.Validation.ToHashSet(StringComparer.Ordinal);
            var te = f.Test.ToHashSet(StringComparer.Ordinal);
            listed.UnionWith(tr); listed.UnionWith(va); listed.UnionWith(te);
            result.Add(new SplitAssignment(
                difficulty.Rows.Where(r => r.Group is { } g && tr.Contains(g)).ToList(),
                difficulty.Rows.Where(r => r.Group is { } g && va.Contains(g)).ToList(),
                difficulty.Rows.Where(r => r.Group is { } g && te.Contains(g)).ToList()));
        }
        unassigned = difficulty.Rows.Where(r => r.Group is null || !listed.Contains(r.Group)).ToList();
        return result;
    }

    /// <summary>Leakage units: connected components of rows linked by equal Group or equal AudioId, in first-row order.</summary>
    public static List<List<ManifestRow>> Units(IReadOnlyList<ManifestRow> rows)
    {
        var parent = Enumerable.Range(0, rows.Count).ToArray();
        int FindRoot(int i) { while (parent[i] != i) i = parent[i] = parent[parent[i]]; return i; }
        var firstByKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < rows.Count; i++)
            foreach (var key in new[] { "g:" + (rows[i].Group ?? rows[i].Id), "a:" + rows[i].AudioId })
            {
                if (firstByKey.TryGetValue(key, out int j)) parent[FindRoot(i)] = FindRoot(j);
                else firstByKey[key] = i;
            }
        var units = new Dictionary<int, List<ManifestRow>>();
        var order = new List<int>();
        for (int i = 0; i < rows.Count; i++)
        {
            int r = FindRoot(i);
            if (!units.TryGetValue(r, out var u)) { units[r] = u = []; order.Add(r); }
            u.Add(rows[i]);
        }
        return order.Select(r => units[r]).ToList();
    }
}
