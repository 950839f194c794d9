namespace PianoJudges.Tests.Data;

using PianoJudges.Data;

/// <summary>The embedded data-manifests against the counts the reference data's README states.</summary>
public class CommittedManifestTests
{
    [Fact]
    public void ExpertiseHasTheReadmeCountsPerLevel()
    {
        var m = ManifestCatalog.Load("expertise");
        Assert.Equal(571, m.Rows.Count(r => r.Label == 0));
        Assert.Equal(897, m.Rows.Count(r => r.Label == 1));
        Assert.Equal(562, m.Rows.Count(r => r.Label == 2));
        // "The paper keeps those under 400 s (577 rows)".
        Assert.Equal(577, m.Rows.Count(r => r.Label == 1 && r.Extra!["paper_keep"] == "1"));
        Assert.All(m.Rows.Where(r => r.Extra!["paper_keep"] == "1" && r.Label < 2), r => Assert.True(r.DurationSeconds < 400));
        Assert.All(m.Rows.Where(r => r.Label == 2), r => Assert.Equal("atepp", r.Source));
        Assert.All(m.Rows.Where(r => r.Label == 2), r => Assert.Contains(r.AudioId, r.Extra!["link"]));
        Assert.All(m.Rows, r => Assert.Equal(r.Id, r.Group));
        Assert.NotEmpty(m.Provenance);
    }

    [Fact]
    public void DifficultyHasThePublishedSplitAndGrades()
    {
        var m = ManifestCatalog.Load("difficulty");
        Assert.Equal(737, m.Rows.Count);
        Assert.Equal(444, m.Rows.Count(r => r.Split == "train"));
        Assert.Equal(152, m.Rows.Count(r => r.Split == "validation"));
        Assert.Equal(141, m.Rows.Count(r => r.Split == "test"));
        Assert.All(m.Rows, r =>
        {
            Assert.InRange(r.Label!.Value, 1, 9);
            Assert.Equal((r.Label.Value - 1) / 3, int.Parse(r.Extra!["henle3"]));
            Assert.Equal(r.Group, r.Extra["cipi_id"]);
        });
        // The paper's split keeps a piece on one side.
        Assert.All(m.Rows.GroupBy(r => r.Group), g => Assert.Single(g.Select(r => r.Split).Distinct()));
    }

    [Fact]
    public void DifficultyFoldsCoverEveryPieceWithTheSameGrade()
    {
        var m = ManifestCatalog.Load("difficulty");
        var folds = ManifestCatalog.LoadDifficultyFolds();
        Assert.Equal(5, folds.Folds.Count);
        Assert.All(m.Rows, r => Assert.Equal(r.Label, folds.Henle[r.Group!]));
        foreach (var f in folds.Folds)
        {
            var all = f.Train.Concat(f.Validation).Concat(f.Test).ToList();
            Assert.Equal(all.Count, all.Distinct().Count());
            Assert.Equal(folds.Henle.Count, all.Count);
        }
        // CIPI's folds are re-drawn splits, not a partition: their test sets overlap (a fact of splits.json).
        Assert.True(folds.Folds.SelectMany(f => f.Test).Distinct().Count() < folds.Folds.Sum(f => f.Test.Count));
        Assert.NotEqual(folds.Folds[0].Test.Order(), folds.Folds[1].Test.Order());
    }

    [Fact]
    public void TechniquesAreMultiHotInCanonicalOrder()
    {
        var m = ManifestCatalog.Load("techniques");
        Assert.Equal(222, m.Rows.Count);
        Assert.All(m.Rows, r => Assert.Equal(Techniques.Names.Count, r.LabelVector.Length));
        // The search term that found a clip is nearly always one of its labels (the authors cleaned a few):
        // a column read in the wrong order would break this for most rows.
        int agree = 0, terms = 0;
        foreach (var r in m.Rows)
            foreach (var term in r.Extra!["technique"].Split('|'))
                if (Techniques.Names.ToList().IndexOf(term) is var i and >= 0)
                {
                    terms++;
                    if (r.LabelVector[i]) agree++;
                }
        Assert.True(agree > 0.9 * terms, $"{agree} of {terms} search terms are labels");
        Assert.All(m.Rows, r => Assert.Contains(true, r.LabelVector));
        Assert.All(m.Rows, r => Assert.Equal(ManifestTask.Technique, r.Task));
    }

    [Fact]
    public void Icpc2015LabelsAgreeWithThePublishedRounds()
    {
        var m = ManifestCatalog.Load("icpc2015");
        Assert.Equal(m.Rows.Count, m.Rows.Select(r => r.AudioId).Distinct().Count());
        // participants_recital_2.txt lists 20 for stage III; 10 reached the final. Some of them have no preliminary video.
        Assert.InRange(m.Rows.Count(r => r.Label >= 3), 1, 20);
        Assert.InRange(m.Rows.Count(r => r.Label == 4), 1, 10);
        var prized = m.Rows.Where(r => r.Extra!.ContainsKey("prize")).ToDictionary(r => int.Parse(r.Extra!["prize"]), r => r.Title);
        Assert.Equal("Seong-Jin Cho", prized[1]);
        Assert.Equal("Charles Richard-Hamelin", prized[2]);
        Assert.Equal("Kate Liu", prized[3]);
        Assert.All(m.Rows.Where(r => r.Extra!.ContainsKey("prize")), r => Assert.Equal(4, r.Label));
        // A candidate admitted by the jury passed at least one round; one refused passed none.
        Assert.All(m.Rows.Where(r => r.Extra!.GetValueOrDefault("admitted") == "1"), r => Assert.True(r.Label >= 1, r.Title));
        Assert.All(m.Rows.Where(r => r.Extra!.GetValueOrDefault("admitted") == "0"), r => Assert.Equal(0, r.Label));
    }

    [Fact]
    public void UnknownCatalogNameIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => ManifestCatalog.Load("rhythm"));
        Assert.Contains("expertise", e.Message);
    }
}
