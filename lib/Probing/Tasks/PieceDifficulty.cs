namespace PianoJudges.Probing.Tasks;

/// <summary>How the unbalanced CIPI grades are handled.</summary>
public enum DifficultyBalancing
{
    None,
    /// <summary>Cross-entropy class weights n / (K n_c) from the training split.</summary>
    ClassWeights,
    /// <summary>The training split only is resampled with replacement so every class has the largest class's count.</summary>
    BalancedSampling,
    /// <summary>
    /// Released code: every grade is resampled with replacement to the largest grade's count over ALL recordings
    /// before the split is applied, so validation/test also hold duplicates and a synthetic balance.
    /// </summary>
    ReleasedOversampling,
}

/// <param name="Classes">9 (Henle 1-9 -> 0..8) or 3 (floor((h-1)/3)).</param>
public sealed record PieceDifficultyOptions(
    int Classes = 9,
    DifficultyBalancing Balancing = DifficultyBalancing.None,
    double TrainFraction = 0.8,
    double ValidationFraction = 0.1,
    long Seed = 13);

/// <summary>Piece difficulty (CIPI, Henle grades) as 9- or 3-class classification of one recording.</summary>
public static class PieceDifficulty
{
    /// <summary>Class of a Henle grade: h - 1 (9 classes) or floor((h - 1) / 3) (3 classes), as dataset.py.</summary>
    public static int ClassOf(int henle, int classes)
    {
        if (henle is < 1 or > 9) throw new ArgumentException($"Henle grade {henle} is outside 1..9");
        return classes switch
        {
            9 => henle - 1,
            3 => (henle - 1) / 3,
            _ => throw new ArgumentException($"difficulty has 9 or 3 classes, got {classes}"),
        };
    }

    /// <summary>Items labelled with Henle grades (1-9) and, where published, a split.</summary>
    public static ProbeTaskData Build(IReadOnlyList<LabelledRecording> recordings, PieceDifficultyOptions options)
    {
        foreach (var r in recordings)
            if (r.Label is < 1 or > 9)
                throw new ArgumentException($"recording '{r.AudioId}' has Henle grade {r.Label}; expected 1..9");
        var items = recordings;
        if (options.Balancing == DifficultyBalancing.ReleasedOversampling)
            items = Oversample(recordings, r => r.Label, ProbeRandom.Derive(options.Seed, 0xD1F));

        var (train, validation, test) = GroupSplit.Assign(items, r => r.AudioId, r => r.Group, r => r.Split,
            options.TrainFraction, options.ValidationFraction, options.Seed);
        if (options.Balancing == DifficultyBalancing.BalancedSampling)
            train = Oversample(train, r => ClassOf(r.Label, options.Classes), ProbeRandom.Derive(options.Seed, 0xD1E));

        float[]? weights = null;
        if (options.Balancing == DifficultyBalancing.ClassWeights)
        {
            var counts = new int[options.Classes];
            foreach (var r in train) counts[ClassOf(r.Label, options.Classes)]++;
            weights = counts.Select(c => c == 0 ? 0f : (float)train.Count / (options.Classes * c)).ToArray();
        }
        ProbeExample Ex(LabelledRecording r, int i) => new($"{r.AudioId}#{i}", [r.AudioId], ClassOf(r.Label, options.Classes));
        var objective = new ProbeObjective(ObjectiveKind.SingleLabel, options.Classes, ClassWeights: weights);
        return new ProbeTaskData($"difficulty-{options.Classes}", objective, 1,
            train.Select(Ex).ToList(), validation.Select(Ex).ToList(), test.Select(Ex).ToList());
    }

    /// <summary>Each class drawn with replacement up to the largest class's count (classes in label order).</summary>
    internal static List<T> Oversample<T>(IReadOnlyList<T> items, Func<T, int> classOf, ProbeRandom rng)
    {
        var groups = items.GroupBy(classOf).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        if (groups.Count == 0) return [];
        int max = groups.Max(g => g.Count);
        var result = new List<T>();
        foreach (var g in groups)
            for (int i = 0; i < max; i++) result.Add(g[rng.Next(g.Count)]);
        return result;
    }
}
