namespace PianoJudges.Data;

/// <summary>The paper's three tasks plus the competition study, as named in manifests.</summary>
public static class ManifestTask
{
    public const string Expertise = "expertise";
    public const string Difficulty = "difficulty";
    public const string Technique = "technique";
    public const string Icpc2015 = "icpc2015";
    public static readonly IReadOnlyList<string> All = [Expertise, Difficulty, Technique, Icpc2015];
}

/// <summary>
/// One row of a manifest. Every manifest in data-manifests/ (and every PLD-synth manifest) uses this
/// one schema; see data-manifests/README.md for the meaning of each column per task.
/// </summary>
/// <param name="Id">Unique row id within the manifest.</param>
/// <param name="AudioId">File stem of the audio under the audio root (any supported extension).</param>
/// <param name="Task">expertise | difficulty | technique | icpc2015.</param>
/// <param name="Label">Integer label: expertise level 0-2, Henle grade 1-9, ICPC rounds passed 0-4; null for technique.</param>
/// <param name="Labels">Technique multi-hot, one 0/1 per label in <see cref="Techniques.Names"/> order; null otherwise.</param>
/// <param name="Group">Leakage key: rows sharing it never cross splits (piece, candidate, recording).</param>
/// <param name="Split">The published split (train, validation, test) or null.</param>
/// <param name="DurationSeconds">Duration of the recording when known.</param>
/// <param name="Source">youtube | atepp | pld-synth | …</param>
/// <param name="Title">Free text (piece, candidate name).</param>
/// <param name="Extra">Further key=value facts (prize, CIPI id, link …).</param>
public sealed record ManifestRow(
    string Id,
    string AudioId,
    string Task,
    int? Label,
    string? Labels,
    string? Group,
    string? Split,
    double? DurationSeconds,
    string Source,
    string? Title,
    IReadOnlyDictionary<string, string>? Extra = null)
{
    /// <summary>The multi-hot technique labels as booleans (empty when the row has none).</summary>
    public bool[] LabelVector => Labels is null ? [] : Labels.Select(c => c == '1').ToArray();
}

/// <summary>The 7 technique labels in the order of the paper and its metadata.</summary>
public static class Techniques
{
    public static readonly IReadOnlyList<string> Names =
        ["Scales", "Arpeggios", "Ornaments", "Repeatednotes", "Doublenotes", "Octave", "Staccato"];
}

/// <summary>The expertise levels of the paper.</summary>
public static class ExpertiseLevels
{
    public static readonly IReadOnlyList<string> Names = ["beginner", "advanced", "virtuoso"];
}

/// <summary>A manifest: rows plus the provenance line that says where they came from.</summary>
public sealed record Manifest(string Provenance, IReadOnlyList<ManifestRow> Rows, string? Path = null)
{
    public Manifest Where(Func<ManifestRow, bool> keep) => this with { Rows = Rows.Where(keep).ToList() };
}
