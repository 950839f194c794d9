namespace PianoJudges.Data;

using System.Text.Json;
using System.Text.Json.Serialization;

/// <summary>One of CIPI's cross-validation folds: CIPI piece ids (the difficulty manifest's group) per split.</summary>
public sealed record DifficultyFold(
    [property: JsonPropertyName("fold")] int Fold,
    [property: JsonPropertyName("train")] IReadOnlyList<string> Train,
    [property: JsonPropertyName("validation")] IReadOnlyList<string> Validation,
    [property: JsonPropertyName("test")] IReadOnlyList<string> Test);

/// <summary>
/// CIPI's own 5-fold splits (data-manifests/difficulty_folds.json), converted from the published
/// splits.json: "val" is called "validation", and <see cref="Henle"/> holds the grade 1-9 of every
/// piece in the folds (CIPI stores grade - 1).
/// </summary>
public sealed record DifficultyFolds(
    [property: JsonPropertyName("provenance")] string Provenance,
    [property: JsonPropertyName("folds")] IReadOnlyList<DifficultyFold> Folds,
    [property: JsonPropertyName("henle")] IReadOnlyDictionary<string, int> Henle)
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static DifficultyFolds Read(Stream stream, string name)
    {
        DifficultyFolds? folds;
        try { folds = JsonSerializer.Deserialize<DifficultyFolds>(stream, Options); }
        catch (JsonException e) { throw new ManifestException(name, (int)(e.LineNumber ?? 0) + 1, $"not a difficulty folds file: {e.Message}"); }
        if (folds?.Folds is null || folds.Henle is null || folds.Provenance is null)
            throw new ManifestException(name, 1, "a difficulty folds file needs 'provenance', 'folds' and 'henle'");
        foreach (var f in folds.Folds)
        {
            var all = f.Train.Concat(f.Validation).Concat(f.Test).ToList();
            if (all.Distinct(StringComparer.Ordinal).Count() != all.Count)
                throw new ManifestException(name, 1, $"fold {f.Fold} lists a piece in more than one split");
        }
        return folds;
    }

    public static DifficultyFolds Read(string path)
    {
        using var s = File.OpenRead(path);
        return Read(s, path);
    }

    public void Write(string path) =>
        AtomicFile.Write(path, s => JsonSerializer.Serialize(s, this, Options));
}
