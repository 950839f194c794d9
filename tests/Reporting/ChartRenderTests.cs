namespace PianoJudges.Tests.Reporting;

using PianoJudges.Metrics;
using PianoJudges.Reporting;
using PianoJudges.Tests.Support;
using Xunit.Abstractions;

/// <summary>
/// Every chart kind in one offline report, opened in headless Chromium: each chart must really be drawn
/// (plotly's svg present in its div). The page and a screenshot stay in TestResults/charts for a human to look at.
/// </summary>
public class ChartRenderTests(ITestOutputHelper output)
{
    /// <summary>One example of every chart in <see cref="Charts"/>, from small deterministic inputs.</summary>
    internal static IReadOnlyList<ChartView> Gallery()
    {
        var rng = new Random(7);
        const int sr = 8000;
        var tone = Enumerable.Range(0, sr).Select(i => (float)(Math.Exp(-4.0 * i / sr) * Math.Sin(2 * Math.PI * 220 * i / sr))).ToArray();
        var spec = new float[32, 120];
        for (int b = 0; b < 32; b++) for (int f = 0; f < 120; f++) spec[b, f] = (float)(-80 + 60 * Math.Exp(-Math.Abs(b - 8) / 3.0) * Math.Exp(-f / 60.0));
        var truth = Enumerable.Range(0, 60).Select(i => i % 3).ToArray();
        var predicted = truth.Select(t => rng.NextDouble() < 0.7 ? t : (t + 1) % 3).ToArray();
        var xs = Enumerable.Range(0, 60).Select(i => truth[i] * 2 + rng.NextDouble()).ToArray();
        var ys = Enumerable.Range(0, 60).Select(_ => rng.NextDouble()).ToArray();
        var candidates = Enumerable.Range(0, 20).Select(i => new CompetitionCandidate($"Candidate {i}", 40 - 2 * i + rng.Next(3), i < 3 ? 4 - i : i < 10 ? 1 : 0, 60)).ToArray();
        return
        [
            Charts.TrainingCurves("loss", [1.2, 0.9, 0.7, 0.6, 0.55], [1.3, 1.0, 0.85, 0.8, 0.82]),
            Charts.ConfusionMatrix(ConfusionMatrix.From(truth, predicted, 3), ["beginner", "advanced", "virtuoso"]),
            Charts.PerLabelAp(["Scales", "Arpeggios", "Ornaments", "Repeatednotes", "Doublenotes", "Octave", "Staccato"],
                [new BarSeries("MERT", [0.9, 0.8, 0.5, 0.6, 0.7, 0.8, 0.4]), new BarSeries("mel", [0.7, 0.6, 0.3, 0.5, 0.5, 0.6, 0.3])]),
            Charts.OursVsPaper("Difficulty (9 classes)", ["mel", "MERT", "DAC"], [0.31, 0.42, 0.38], [0.30, 0.45, double.NaN], "accuracy", oursStd: [0.02, 0.01, 0.03]),
            Charts.Projection2D("Embeddings (2-D)", xs, ys, truth.Select(t => $"level {t}").ToArray(), Enumerable.Range(0, 60).Select(i => $"clip {i}").ToArray()),
            Charts.Waveform(tone, sr, "Decaying 220 Hz tone"),
            Charts.Spectrogram(spec, 50, "Spectrogram"),
            Charts.CompetitionHitRate(candidates),
        ];
    }

    [Fact]
    public void Every_chart_kind_renders_offline_in_a_browser()
    {
        var charts = Gallery();
        var report = new HtmlReport("Chart gallery").Text("Every chart kind of `PianoJudges.Reporting.Charts`.");
        foreach (var c in charts) report.Section(c.Title).Chart(c);
        report.Table(new Table(["chart", "height"], charts.Select(c => (IReadOnlyList<object?>)[c.Title, c.Height])));
        string dir = RepoPaths.Artefacts("charts");
        string page = report.Save(Path.Combine(dir, "gallery.html"));

        string dom = Chromium.DumpDom(page);
        var ids = Enumerable.Range(1, charts.Count).Select(i => $"chart-{i}").ToArray();
        var drawn = Chromium.DrawnCharts(dom, ids);
        var missing = ids.Where(id => !drawn[id]).Select(id => $"{id} ({charts[int.Parse(id[6..]) - 1].Title})").ToArray();
        Assert.True(missing.Length == 0, $"not drawn: {string.Join(", ", missing)}; page {page}");
        Assert.DoesNotContain(">plotly.js did not load", dom); // the fallback text a chart shows when plotly.js is missing

        string png = Path.Combine(dir, "gallery.png");
        Chromium.Screenshot(page, png, 1200, 4200);
        Assert.True(new FileInfo(png).Length > 10_000, "the screenshot is suspiciously small");
        output.WriteLine($"gallery: {page}\nscreenshot: {png}");
    }

    [Fact]
    public void A_standalone_chart_page_renders()
    {
        string dir = RepoPaths.Artefacts("charts");
        string page = Path.Combine(dir, "standalone.html");
        Gallery()[^1].SaveHtml(page);
        Assert.True(Chromium.DrawnCharts(Chromium.DumpDom(page), ["chart-1"])["chart-1"]);
    }
}
