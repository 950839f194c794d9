namespace PianoJudges.Tests.Reporting;

using System.Text.RegularExpressions;
using PianoJudges.Competition;
using PianoJudges.Data;
using PianoJudges.Native;
using PianoJudges.Probing;
using PianoJudges.Reporting;
using PianoJudges.Tests.Probing;

/// <summary>The competition views and the main report's competition section, on a small study of planted embeddings.</summary>
public class CompetitionViewsTests
{
    private const int T = 20, D = 25;

    // Scores 0..4 as in ICPC 2015; candidate 7 won the first prize, 6 the second.
    private static readonly int[] Scores = [0, 0, 0, 1, 1, 2, 4, 4, 3];

    private static readonly Lazy<CompetitionStudyResult> Study = new(Run);

    private static CompetitionStudyResult Run()
    {
        TorchRuntime.EnsureInitialised();
        var manifest = new Manifest("views field", Scores.Select((s, i) => new ManifestRow($"c{i}", $"a{i}", ManifestTask.Icpc2015, s, null, $"c{i}", null, null,
            "test", $"Candidate {i}", i is 6 or 7 ? new Dictionary<string, string> { ["prize"] = i == 7 ? "1" : "2" } : null)).ToList());
        var field = CompetitionField.FromManifest(manifest, "views", _ => 1);
        var rng = new Random(5);
        var source = new InMemoryEmbeddingSource();
        foreach (var e in field.Entrants)
            source.Add(e.PartId(1), Synthetic.Embedding(rng, 2, T, D, 2, (_, _, k) => k < D / 2 ? 0.5f * e.Score : 0f));
        TorchSharp.torch.random.manual_seed(3);
        using var model = new AudioCNNTransformer(new ProbeHeadConfig(2 * T, D, 2));
        model.eval();
        return CompetitionStudy.Run(new CompetitionStudyInput("synthetic", field, source, model, "untrained"),
            new CompetitionStudyOptions(Fitting: [FittingSplitMode.ByCandidate], FitEpochs: 1, Training: Synthetic.Fast(1),
                Bootstrap: new PianoJudges.Metrics.BootstrapOptions(Resamples: 50)));
    }

    [Fact]
    public void Table4_has_a_row_per_setting_with_intervals_and_the_paper_columns()
    {
        var result = Study.Value;
        var table = CompetitionViews.Table4(result);
        Assert.StartsWith(CompetitionViews.Table4Caption, table.Caption);
        Assert.Equal(result.Table4.Select(r => r.Setting), table.Rows.Select(r => (string)r[1]!));
        Assert.Contains(table.Rows, r => r[1] is string s && s.StartsWith("with fitting", StringComparison.Ordinal));
        int ci = table.Columns.ToList().IndexOf("accuracy 95% CI");
        Assert.All(table.Rows, r => Assert.Matches(@"^\[[0-9.]+, [0-9.]+\]$", (string)r[ci]!));
        Assert.All(table.Rows, r => Assert.Equal("n/a", r[^1]));
    }

    [Fact]
    public void Rounds_count_who_entered_each_round_and_who_went_out_there()
    {
        var table = CompetitionViews.Rounds(Study.Value.Field);
        // 9 scored: 3 out in the preliminary, 2 in stage I, 1 in stage II, 1 in stage III, 2 finalists.
        Assert.Equal(new object?[] { 9, 6, 4, 3, 2 }, table.Rows.Select(r => r[1]).ToArray());
        Assert.Equal(new object?[] { 3, 2, 1, 1, 2 }, table.Rows.Select(r => r[2]).ToArray());
        Assert.Equal("final", table.Rows[^1][0]);
    }

    [Fact]
    public void Figure2_input_and_the_finalists_come_from_the_ranking()
    {
        var ranking = Study.Value.Ranking[0];
        var candidates = CompetitionViews.Candidates(ranking);
        Assert.Equal(Scores, candidates.Select(c => c.RoundsPassed));
        Assert.Equal(ranking.Entrants.Select(e => e.Wins), candidates.Select(c => c.Wins));
        var finalists = CompetitionViews.Finalists(ranking);
        // Prize order first: the first prize (candidate 7), then the second (candidate 6); no one else scored 4.
        Assert.Equal(new object?[] { "Candidate 7", "Candidate 6" }, finalists.Rows.Select(r => r[0]).ToArray());
    }

    [Fact]
    public void The_main_report_renders_the_competition_section()
    {
        var result = Study.Value;
        string html = new MainReport("Run", "overview").Competition(result).Html.ToHtml();
        Assert.Contains("Chopin Competition case study", html);
        Assert.Contains(CompetitionViews.Table4Caption, html);
        Assert.Equal(result.Ranking.Count, Regex.Matches(html, "id=\"chart-\\d+\"").Count);
        Assert.Contains("Rank agreement with the real rounds passed", html);
        Assert.Contains("Candidate 7", html);
    }
}
