namespace PianoJudges.Tests.Encoders.Weights;

/// <summary>Committed fixtures under tests/Fixtures (made by tools/parity/mert_reference.py), and scratch folders.</summary>
public static class WeightsFixtures
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Fixtures");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/Fixtures not found above {AppContext.BaseDirectory}");
    });

    public static string Path_(params string[] parts) => Path.Combine([Root.Value, .. parts]);

    public static string Mert(string file) => Path_("Mert", file);

    /// <summary>A fresh empty folder, deleted when disposed.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pj-weights-" + Guid.NewGuid().ToString("N")));
        public string Path { get; }
        public string File(string name) => System.IO.Path.Combine(Path, name);
        public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
    }
}
