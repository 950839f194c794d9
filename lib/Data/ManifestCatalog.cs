namespace PianoJudges.Data;

using System.Reflection;

/// <summary>
/// The manifests committed in data-manifests/, embedded in PianoJudges.Lib (resource names
/// manifests/&lt;file&gt;), so nothing is read from the reference data or the repository at run time.
/// </summary>
public static class ManifestCatalog
{
    /// <summary>Catalog names and their files.</summary>
    public static readonly IReadOnlyDictionary<string, string> Files = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["expertise"] = ReferenceConversion.ExpertiseFile,
        ["difficulty"] = ReferenceConversion.DifficultyFile,
        ["techniques"] = ReferenceConversion.TechniquesFile,
        ["icpc2015"] = ReferenceConversion.Icpc2015File,
    };

    public static IReadOnlyCollection<string> Names => (IReadOnlyCollection<string>)Files.Keys;

    private static readonly Assembly Lib = typeof(ManifestCatalog).Assembly;

    /// <summary>Reads an embedded manifest by name: expertise, difficulty, techniques (or technique), icpc2015.</summary>
    public static Manifest Load(string name)
    {
        string key = name == ManifestTask.Technique ? "techniques" : name;
        if (!Files.TryGetValue(key, out var file))
            throw new ArgumentException($"unknown manifest '{name}'; expected one of {string.Join(", ", Files.Keys)}", nameof(name));
        using var stream = Open(file);
        using var reader = new StreamReader(stream);
        return ManifestIO.Read(reader, $"manifests/{file}");
    }

    /// <summary>CIPI's 5 cross-validation folds (embedded difficulty_folds.json).</summary>
    public static DifficultyFolds LoadDifficultyFolds()
    {
        using var stream = Open(ReferenceConversion.DifficultyFoldsFile);
        return DifficultyFolds.Read(stream, $"manifests/{ReferenceConversion.DifficultyFoldsFile}");
    }

    /// <summary>A catalog name, or else a path to a manifest file.</summary>
    public static Manifest LoadNameOrPath(string nameOrPath) =>
        Files.ContainsKey(nameOrPath) || nameOrPath == ManifestTask.Technique ? Load(nameOrPath)
        : File.Exists(nameOrPath) ? ManifestIO.Read(nameOrPath)
        : throw new FileNotFoundException(
            $"'{nameOrPath}' is neither a manifest name ({string.Join(", ", Files.Keys)}) nor an existing file", nameOrPath);

    private static Stream Open(string file) =>
        Lib.GetManifestResourceStream($"manifests/{file}")
        ?? throw new InvalidOperationException(
            $"manifest resource 'manifests/{file}' is not embedded in {Lib.GetName().Name}: run `pianojudges manifests convert` and rebuild");
}
