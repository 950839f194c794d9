namespace PianoJudges.Tests.Reporting;

using System.Text.RegularExpressions;
using PianoJudges.Reporting;
using PianoJudges.Tests.Support;

public class HtmlReportTests
{
    private static ChartView SmallChart(string title) => Charts.TrainingCurves("loss", [1.0, 0.5, 0.25], [1.1, 0.7, 0.6], title);

    [Fact]
    public void Plotly_js_is_inlined_once_and_each_chart_gets_its_div_and_newPlot()
    {
        var report = new HtmlReport("Run").Chart(SmallChart("first")).Chart(SmallChart("second"));
        string html = report.ToHtml();
        Assert.Single(Regex.Matches(html, Regex.Escape("* plotly.js v" + PlotlyJs.Version)));
        Assert.Contains("id=\"chart-1\"", html);
        Assert.Contains("id=\"chart-2\"", html);
        Assert.Equal(2, Regex.Matches(html, @"Plotly\.newPlot\(").Count - Regex.Matches(PlotlyJs.Source, @"Plotly\.newPlot\(").Count);
        Assert.True(html.IndexOf("plotly.js v", StringComparison.Ordinal) < html.IndexOf("id=\"chart-1\"", StringComparison.Ordinal));
    }

    [Fact]
    public void A_report_without_charts_carries_no_plotly_js()
    {
        string html = new HtmlReport("Tables only").Text("hello").ToHtml();
        Assert.DoesNotContain("plotly.js v", html);
        Assert.Contains("<p>hello</p>", html);
    }

    [Fact]
    public void The_page_needs_no_network()
    {
        string html = new HtmlReport("Offline").Chart(SmallChart("c")).ToHtml();
        // No external script, stylesheet or image: every src/href that loads something is absent.
        Assert.DoesNotMatch(new Regex("<script[^>]+src=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex("<link[^>]+href=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("cdn.", html.Replace(PlotlyJs.Source, ""));
    }

    [Fact]
    public void Text_is_encoded_and_only_a_markdown_subset_becomes_markup()
    {
        string html = MarkdownLite.ToHtml("# Results\n\nSome **bold**, *italic* and `a<b>` <script>x</script>.\n\n- one\n- [two](#t)\n\n[bad](javascript:alert(1))");
        Assert.Contains("<h2>Results</h2>", html);
        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("<em>italic</em>", html);
        Assert.Contains("<code>a&lt;b&gt;</code>", html);
        Assert.Contains("&lt;script&gt;x&lt;/script&gt;", html);
        Assert.Contains("<ul>\n<li>one</li>\n<li><a href=\"#t\">two</a></li>\n</ul>", html);
        Assert.DoesNotContain("href=\"javascript", html);
    }

    [Fact]
    public void Config_and_timings_blocks()
    {
        string html = new HtmlReport("R")
            .Config(new { encoder = "mel", epochs = 3, lr = 5e-5 })
            .Timings([new("embed", TimeSpan.FromSeconds(3)), new("train", TimeSpan.FromSeconds(1))])
            .ToHtml();
        Assert.Contains("&quot;encoder&quot;: &quot;mel&quot;", html);
        Assert.Contains("&quot;epochs&quot;: 3", html);
        Assert.Contains("75%", html); // embed: 3 of 4 s
        Assert.Contains("25%", html);
        Assert.Contains(">total<", html);
        Assert.Contains("4.0 s", html);
    }

    [Fact]
    public void Save_writes_the_page_atomically()
    {
        using var dir = new TempDir();
        string path = new HtmlReport("Saved").Text("x").Save(dir.File("r/report.html"));
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.File("r"))); // no temporary file left behind
    }

    [Fact]
    public void Script_closing_tags_inside_data_cannot_end_the_chart_script()
    {
        var chart = Charts.Projection2D("p", [0.0, 1.0], [0.0, 1.0], ["a", "b"], hover: ["</script><b>x", "y"]);
        string div = chart.ToDivHtml("c");
        Assert.DoesNotContain("</script><b>", div);
        Assert.Single(Regex.Matches(div, "</script>"));
    }
}

public class AudioPlayerTests
{
    [Fact]
    public void Player_carries_the_sound_as_a_wav_data_uri()
    {
        var samples = new float[] { 0f, 0.5f, -0.5f, 1.5f };
        string html = AudioPlayer.From(samples, 8000, "a <test>").ToHtml();
        Assert.Contains("<audio controls", html);
        Assert.Contains("a &lt;test&gt;", html);
        var m = System.Text.RegularExpressions.Regex.Match(html, "data:audio/wav;base64,([A-Za-z0-9+/=]+)\"");
        Assert.True(m.Success);
        byte[] wav = Convert.FromBase64String(m.Groups[1].Value);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal(8000, BitConverter.ToInt32(wav, 24));
        Assert.Equal(samples.Length * 2, BitConverter.ToInt32(wav, 40));
        Assert.Equal(16384, BitConverter.ToInt16(wav, 46)); // 0.5 * 32767, rounded
        Assert.Equal(32767, BitConverter.ToInt16(wav, 50)); // 1.5 clipped to 1
    }

    [Fact]
    public void Overlong_sounds_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => AudioPlayer.From(new float[61 * 100], 100));
        Assert.Contains("at most 60 s", e.Message);
    }
}
