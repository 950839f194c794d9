namespace PianoJudges.Reporting;

using System.Text.Json.Nodes;
using PianoJudges.Data;
using Plotly.NET;

/// <summary>
/// A Plotly.NET chart with a title and a size, and every way this project shows it: as the figure JSON,
/// as a div for <see cref="HtmlReport"/>, as a self-contained page, and as a notebook output.
/// In a .NET Interactive notebook a cell that ends with a <see cref="ChartView"/> displays the chart
/// (through <see cref="NotebookHtmlFormatterSource"/>, found by convention, with plotly.js inlined so that it
/// renders offline); <see cref="Chart"/> stays available for further styling with Plotly.NET.
/// </summary>
[TypeFormatterSource(typeof(NotebookHtmlFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed class ChartView : INotebookHtml
{
    /// <summary>Default chart height in pixels; the width follows the page or notebook unless set.</summary>
    public const int DefaultHeight = 450;

    private ChartView(GenericChart chart, string title, int height, int? width)
    {
        Chart = chart;
        Title = title;
        Height = height;
        Width = width;
    }

    /// <summary>The Plotly.NET chart.</summary>
    public GenericChart Chart { get; }

    public string Title { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width in pixels; null = as wide as the container (plotly's responsive mode).</summary>
    public int? Width { get; }

    /// <summary>Wraps any Plotly.NET chart (its own layout width/height are replaced by <paramref name="height"/> and <paramref name="width"/>).</summary>
    public static ChartView From(GenericChart chart, string title, int height = DefaultHeight, int? width = null)
    {
        ArgumentNullException.ThrowIfNull(chart);
        if (height < 50) throw new ArgumentOutOfRangeException(nameof(height), height, "A chart needs a height of at least 50 pixels.");
        if (width is < 50) throw new ArgumentOutOfRangeException(nameof(width), width, "A chart needs a width of at least 50 pixels (or null to fill the container).");
        return new ChartView(chart, title, height, width);
    }

    /// <summary>A copy with another size.</summary>
    public ChartView WithSize(int height, int? width = null) => From(Chart, Title, height, width);

    /// <summary>
    /// The figure as plotly.js takes it: <c>{"data": [...], "layout": {...}, "config": {...}}</c>.
    /// Plotly.NET's default width is dropped so that the chart fills its container unless <see cref="Width"/> is set.
    /// </summary>
    public string ToFigureJson()
    {
        var figure = JsonNode.Parse(GenericChart.toJson(Chart))!.AsObject();
        var layout = figure["layout"] as JsonObject ?? new JsonObject();
        figure["layout"] = layout;
        layout["height"] = Height;
        if (Width is int w) { layout["width"] = w; layout["autosize"] = false; }
        else { layout.Remove("width"); layout["autosize"] = true; }
        var config = figure["config"] as JsonObject ?? new JsonObject();
        figure["config"] = config;
        config["responsive"] = Width is null;
        config["displaylogo"] = false;
        return figure.ToJsonString();
    }

    /// <summary>
    /// A div and the script that draws the figure into it; plotly.js must be on the page (see <see cref="PlotlyJs.ScriptTags"/>).
    /// The script waits briefly for <c>window.Plotly</c>, so the order in which a front end runs output scripts does not matter.
    /// </summary>
    public string ToDivHtml(string? id = null)
    {
        id ??= "pj-chart-" + Guid.NewGuid().ToString("N")[..12];
        // "<" only occurs inside JSON strings; as \u003c it means the same to JavaScript and can never close or open a tag.
        string json = ToFigureJson().Replace("<", "\\u003c", StringComparison.Ordinal);
        return
            $"<div id=\"{id}\" class=\"pj-chart\" style=\"min-height:{Height}px\"></div>\n" +
            "<script type=\"text/javascript\">(function () {\n" +
            $"  var figure = {json};\n" +
            "  var tries = 0;\n" +
            "  function draw() {\n" +
            $"    var el = document.getElementById('{id}');\n" +
            "    if (window.Plotly && el) { window.Plotly.newPlot(el, figure.data, figure.layout, figure.config); return; }\n" +
            "    if (++tries < 200) { setTimeout(draw, 50); return; }\n" +
            "    if (el) el.textContent = 'plotly.js did not load: this chart cannot be drawn.';\n" +
            "  }\n" +
            "  draw();\n" +
            "})();</script>\n";
    }

    /// <summary>
    /// A notebook output: plotly.js inlined (about 3.5 MB per chart output), then the chart. Each output carries its own
    /// copy because notebook front ends render, re-render and lazily restore outputs independently; sharing one copy
    /// would break charts whose neighbour is not rendered yet.
    /// </summary>
    public string ToNotebookHtml() => "<div class=\"pj-notebook-chart\">\n" + PlotlyJs.ScriptTags() + ToDivHtml() + "</div>\n";

    /// <summary>A complete HTML page with plotly.js inlined: opens offline in any browser.</summary>
    public string ToHtmlDocument() =>
        new HtmlReport(Title).Chart(this).ToHtml();

    /// <summary>Writes <see cref="ToHtmlDocument"/> to <paramref name="path"/> atomically.</summary>
    public void SaveHtml(string path) => AtomicFile.WriteAllText(path, ToHtmlDocument());

    public override string ToString() => $"chart \"{Title}\" ({(Width is int w ? w + "x" : "")}{Height} px)";
}
