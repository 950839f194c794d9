namespace PianoJudges.Tests.Support;

/// <summary>Where the repository and the test artefacts are, found from the test assembly's location.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PianoJudges.Lib.csproj"))) return dir.FullName;
        throw new InvalidOperationException($"No PianoJudges.Lib.csproj above {AppContext.BaseDirectory}: the tests must run from a build inside the repository.");
    });

    /// <summary>The repository root (the folder of PianoJudges.Lib.csproj).</summary>
    public static string Root => RootPath.Value;

    /// <summary>The build configuration the tests were built in (Release or Debug), from the test assembly's path.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries) is var parts
        && Array.LastIndexOf(parts, "bin") is int i and >= 0 && i + 1 < parts.Length ? parts[i + 1] : "Release";

    /// <summary>
    /// A folder for test artefacts kept after the run (executed notebooks, chart pages, screenshots):
    /// $TEST_RESULTS_DIR/&lt;name&gt; (tools/test.sh sets it) or else tests/TestResults/&lt;name&gt;.
    /// </summary>
    public static string Artefacts(string name)
    {
        string? env = Environment.GetEnvironmentVariable("TEST_RESULTS_DIR");
        string root = string.IsNullOrWhiteSpace(env) ? Path.Combine(Root, "tests", "TestResults") : env;
        string dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
