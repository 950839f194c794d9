namespace PianoJudges.Tests.Data;

using PianoJudges.Data;

public class CandidateNamesTests
{
    private static CandidateNames Registry(params string[] names)
    {
        var n = new CandidateNames();
        foreach (var s in names) n.Register(s);
        return n;
    }

    [Theory]
    [InlineData("Aljosa Jurinic", "Aljoša Jurinić", NameMatchKind.Exact)]
    [InlineData("Tony Yike Yang", "Yike (Tony) Yang", NameMatchKind.Exact)]
    [InlineData("Lukasz Krupinski", "Łukasz Krupiński", NameMatchKind.Exact)]
    [InlineData("Charles Richard Hamelin", "Charles Richard-Hamelin", NameMatchKind.Exact)]
    [InlineData("Ł.P. Byrdy", "Łukasz Piotr Byrdy", NameMatchKind.Subset)]
    [InlineData("Szuyu Su", "Szuyu Rachel Su", NameMatchKind.Subset)]
    [InlineData("Honggi Kim Nocturne in C minor", "Honggi Kim", NameMatchKind.Contained)]
    [InlineData("Tamila Salindianova", "Tamila Salimdjanova", NameMatchKind.Fuzzy)]
    public void SpellingsResolveToTheRegisteredName(string spelling, string registered, NameMatchKind kind)
    {
        var names = Registry(registered, "Irina Chistiakova", "Su Yeon Kim", "Qi Xu");
        var m = names.Match(spelling);
        Assert.Equal(kind, m.Kind);
        Assert.Equal(registered, names.Display(m.Key!));
    }

    [Fact]
    public void NearNamesakesAreNotMerged()
    {
        var names = Registry("Galina Chistiakova", "Irina Chistiakova", "Qi Xu", "Zi Xu", "Chao Wang", "Zhu Wang");
        Assert.Equal("Galina Chistiakova", names.Display(names.Match("G. Chistiakova").Key!));
        Assert.Equal("Irina Chistiakova", names.Display(names.Match("I. Chistiakova").Key!));
        Assert.Equal(NameMatchKind.None, names.Match("Chistiakova").Kind);   // one token: ambiguous
        Assert.Equal(NameMatchKind.None, names.Match("Ki Xu").Kind);         // short tokens never fuzzy
        Assert.Equal(NameMatchKind.None, names.Match("Xuehong Chen").Kind);
    }

    [Fact]
    public void TokensFoldDiacriticsAndPunctuation() =>
        Assert.Equal(["lukasz", "ksiazek", "o", "brien"], CandidateNames.Tokens("Łukasz Książek O'Brien"));
}

/// <summary>Re-runs the conversion from the reference data when it is present (PIANOJUDGES_REFERENCE_DATA or ../shared/reference-data of the repository).</summary>
public class ReferenceConversionTests
{
    private static string? ReferenceDir()
    {
        var candidates = new List<string?> { Environment.GetEnvironmentVariable("PIANOJUDGES_REFERENCE_DATA") };
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "PianoJudges.Lib.csproj")))
            {
                candidates.Add(Path.Combine(d.FullName, "..", "shared", "reference-data"));
                break;
            }
        return candidates.FirstOrDefault(c => c is not null && Directory.Exists(Path.Combine(c, "pianojudges")));
    }

    private static string? RepoManifests()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "PianoJudges.Lib.csproj"))) return Path.Combine(d.FullName, "data-manifests");
        return null;
    }

    [SkippableFact]
    public void ConversionReproducesTheEmbeddedManifestsByteForByte()
    {
        // The reference data is not part of the repository: without it the test is reported as skipped, not passed.
        var reference = ReferenceDir();
        Skip.If(reference is null, "no reference data (set PIANOJUDGES_REFERENCE_DATA or place it at ../shared/reference-data)");
        string outDir = Directory.CreateTempSubdirectory("pj-convert-").FullName;
        try
        {
            var result = ReferenceConversion.ConvertAndWrite(reference!, outDir);
            foreach (var file in result.Manifests.Keys.Append(ReferenceConversion.DifficultyFoldsFile))
            {
                using var embedded = typeof(ManifestCatalog).Assembly.GetManifestResourceStream($"manifests/{file}")!;
                using var ms = new MemoryStream();
                embedded.CopyTo(ms);
                Assert.True(ms.ToArray().SequenceEqual(File.ReadAllBytes(Path.Combine(outDir, file))),
                    $"{file} differs from a fresh conversion: run `pianojudges manifests convert` and rebuild");
            }
            var icpc = result.Icpc;
            Assert.Equal(10, icpc.RoundSizes[4]);                       // the README's finalists
            Assert.Equal(20, icpc.RoundSizes[3] + icpc.RoundSizes[4]);  // participants_recital_2.txt
            Assert.All(icpc.Unmatched, u => Assert.StartsWith("videos.tsv", u));
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    [Fact]
    public void CommittedFilesAreTheEmbeddedOnes()
    {
        string dir = RepoManifests() ?? throw new InvalidOperationException("the repository root (PianoJudges.Lib.csproj) was not found above the test output");
        Assert.True(Directory.Exists(dir), $"{dir} is missing");
        foreach (var name in ManifestCatalog.Names)
        {
            var embedded = ManifestCatalog.Load(name);
            var onDisk = ManifestIO.Read(Path.Combine(dir, ManifestCatalog.Files[name]));
            Assert.Equal(onDisk.Rows.Select(r => r.Id), embedded.Rows.Select(r => r.Id));
        }
    }
}
