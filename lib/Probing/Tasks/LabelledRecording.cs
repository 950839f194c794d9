namespace PianoJudges.Probing.Tasks;

using PianoJudges.Data;

/// <summary>Split names as written in manifests.</summary>
public static class SplitNames
{
    public const string Train = "train";
    public const string Validation = "validation";
    public const string Test = "test";
}

/// <summary>A recording with one integer label (expertise level 0-2, Henle grade 1-9).</summary>
/// <param name="Group">Leakage key: recordings sharing it stay on one side of a split (null: the recording alone).</param>
/// <param name="Split">train | validation | test when a published split exists, else null.</param>
public sealed record LabelledRecording(string AudioId, int Label, string? Group = null, string? Split = null)
{
    /// <summary>From a manifest row of the expertise or difficulty task; a row without a label is an error naming it.</summary>
    public static LabelledRecording FromManifest(ManifestRow row) =>
        new(row.AudioId,
            row.Label ?? throw new ArgumentException($"manifest row '{row.Id}' ({row.Task}) has no label"),
            row.Group, row.Split);
}

/// <summary>A recording with a multi-hot label vector (techniques, in <see cref="Techniques.Names"/> order).</summary>
public sealed record MultiLabelledRecording(string AudioId, bool[] Labels, string? Group = null, string? Split = null)
{
    public static MultiLabelledRecording FromManifest(ManifestRow row)
    {
        var v = row.LabelVector;
        if (v.Length == 0) throw new ArgumentException($"manifest row '{row.Id}' ({row.Task}) has no multi-hot labels");
        return new(row.AudioId, v, row.Group, row.Split);
    }
}

/// <summary>Assigns train/validation/test by leakage group where no published split exists.</summary>
public static class GroupSplit
{
    /// <summary>
    /// Keeps a published Split when every item has one; otherwise shuffles the groups (seeded) and fills
    /// train, then validation, the rest test, by item count. Mixed (some with Split, some without) is an error.
    /// </summary>
    public static (List<T> Train, List<T> Validation, List<T> Test) Assign<T>(
        IReadOnlyList<T> items, Func<T, string> idOf, Func<T, string?> groupOf, Func<T, string?> splitOf,
        double trainFraction, double validationFraction, long seed)
    {
        if (trainFraction <= 0 || validationFraction < 0 || trainFraction + validationFraction > 1)
            throw new ArgumentException($"split fractions train {trainFraction}, validation {validationFraction} must be positive and sum to at most 1");
        var train = new List<T>();
        var validation = new List<T>();
        var test = new List<T>();
        int withSplit = items.Count(i => splitOf(i) is not null);
        if (withSplit == items.Count && items.Count > 0)
        {
            foreach (var item in items)
            {
                switch (splitOf(item))
                {
                    case SplitNames.Train: train.Add(item); break;
                    case SplitNames.Validation: validation.Add(item); break;
                    case SplitNames.Test: test.Add(item); break;
                    default:
                        throw new ArgumentException($"item '{idOf(item)}' has split '{splitOf(item)}'; expected train, validation or test");
                }
            }
            return (train, validation, test);
        }
        if (withSplit > 0)
        {
            var missing = items.First(i => splitOf(i) is null);
            throw new ArgumentException($"{withSplit} of {items.Count} items have a published split but '{idOf(missing)}' has none");
        }

        var groups = items.GroupBy(i => groupOf(i) ?? "\u0001" + idOf(i), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        ProbeRandom.Derive(seed, 0x5_1_1_7).Shuffle(groups);
        int nTrain = (int)(items.Count * trainFraction);
        int nVal = (int)(items.Count * validationFraction);
        foreach (var g in groups)
        {
            if (train.Count < nTrain) train.AddRange(g);
            else if (validation.Count < nVal) validation.AddRange(g);
            else test.AddRange(g);
        }
        return (train, validation, test);
    }
}
