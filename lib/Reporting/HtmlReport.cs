namespace PianoJudges.Reporting;

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PianoJudges.Data;

/// <summary>
/// A self-contained HTML report: one page that opens offline in any browser. plotly.js is inlined once in the
/// page head (only when the report has a chart); each chart is a div plus one <c>Plotly.newPlot</c> call with its
/// figure JSON. Blocks appear in the order they are added.
/// </summary>
public sealed class HtmlReport
{
    private readonly List<string> _blocks = [];
    private int _charts;

    public HtmlReport(string title)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        Title = title;
    }

    public string Title { get; }

    /// <summary>Number of charts added so far.</summary>
    public int ChartCount => _charts;

    /// <summary>A heading; <paramref name="level"/> 2 (a section) to 4. The page title is the only level-1 heading.</summary>
    public HtmlReport Section(string heading, int level = 2)
    {
        if (level is < 2 or > 4) throw new ArgumentOutOfRangeException(nameof(level), level, "Section levels are 2 to 4 (the page title is level 1).");
        string id = Slug(heading);
        _blocks.Add($"<h{level} id=\"{id}\">{WebUtility.HtmlEncode(heading)}</h{level}>");
        return this;
    }

    /// <summary>Text in a small Markdown subset, HTML-encoded first (see <see cref="MarkdownLite.ToHtml"/>).</summary>
    public HtmlReport Text(string markdown)
    {
        _blocks.Add(MarkdownLite.ToHtml(markdown));
        return this;
    }

    /// <summary>A table (see <see cref="Reporting.Table"/>).</summary>
    public HtmlReport Table(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _blocks.Add(table.ToHtml());
        return this;
    }

    /// <summary>A chart: a div and its <c>Plotly.newPlot</c> call; plotly.js itself is written once in the head.</summary>
    public HtmlReport Chart(ChartView chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        _charts++;
        _blocks.Add(chart.ToDivHtml($"chart-{_charts}"));
        return this;
    }

    /// <summary>An audio player with the sound inside the page.</summary>
    public HtmlReport Audio(AudioPlayer player)
    {
        ArgumentNullException.ThrowIfNull(player);
        _blocks.Add(player.ToHtml());
        return this;
    }

    /// <summary>A configuration block: the object as indented JSON (records, dictionaries and anonymous objects all work).</summary>
    public HtmlReport Config(object config, string heading = "Configuration")
    {
        ArgumentNullException.ThrowIfNull(config);
        string json = JsonSerializer.Serialize(config, config.GetType(), ConfigJson);
        _blocks.Add($"<details class=\"pj-config\" open><summary>{WebUtility.HtmlEncode(heading)}</summary><pre>{WebUtility.HtmlEncode(json)}</pre></details>");
        return this;
    }

    /// <summary>A timings block: each step's wall time and its share of the total.</summary>
    public HtmlReport Timings(IEnumerable<KeyValuePair<string, TimeSpan>> steps, string heading = "Timings")
    {
        var list = steps.ToList();
        double total = list.Sum(s => s.Value.TotalSeconds);
        var rows = list.Select(s => (IReadOnlyList<object?>)
            [s.Key, s.Value, total > 0 ? (100 * s.Value.TotalSeconds / total).ToString("0", CultureInfo.InvariantCulture) + "%" : ""]).ToList();
        rows.Add(["total", TimeSpan.FromSeconds(total), ""]);
        _blocks.Add(new Table(["step", "wall time", "share"], rows, heading).ToHtml());
        return this;
    }

    /// <summary>Raw HTML for what the other blocks do not cover; the caller is responsible for encoding.</summary>
    public HtmlReport Html(string html)
    {
        _blocks.Add(html);
        return this;
    }

    /// <summary>The whole page.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<title>").Append(WebUtility.HtmlEncode(Title)).Append("</title>\n");
        sb.Append("<style>\n").Append(Css).Append("</style>\n");
        if (_charts > 0) sb.Append(PlotlyJs.ScriptTags());
        sb.Append("</head>\n<body>\n<main>\n");
        sb.Append("<h1>").Append(WebUtility.HtmlEncode(Title)).Append("</h1>\n");
        foreach (var block in _blocks) sb.Append(block).Append('\n');
        sb.Append("</main>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>Writes the page atomically and returns its full path.</summary>
    public string Save(string path)
    {
        AtomicFile.WriteAllText(path, ToHtml());
        return Path.GetFullPath(path);
    }

    private static readonly JsonSerializerOptions ConfigJson = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private static string Slug(string s)
    {
        string slug = Regex.Replace(s.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
        return slug.Length == 0 ? "section" : slug;
    }

    private const string Css = """
        body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0; color: #222; }
        main { max-width: 1100px; margin: 0 auto; padding: 1rem 2rem 3rem; }
        h1 { border-bottom: 2px solid #ddd; padding-bottom: .3rem; }
        h2 { margin-top: 2rem; border-bottom: 1px solid #eee; }
        code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; background: #f6f8fa; }
        pre { padding: .6rem; overflow-x: auto; }
        .pj-table { margin: .8rem 0; font-size: .92rem; }
        .pj-table th { background: #f0f3f7; }
        .pj-chart { margin: .8rem 0; }
        details.pj-config summary { cursor: pointer; font-weight: bold; }

        """;
}

/// <summary>
/// The small Markdown subset the report understands: paragraphs (blank-line separated), "# " to "#### " headings
/// (shifted one level down, below the page title), "- " or "* " bullet lists, "```" code blocks, and inline
/// `code`, **bold**, *italic* and [text](link). Everything is HTML-encoded first, so no HTML passes through.
/// </summary>
public static class MarkdownLite
{
    public static string ToHtml(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var sb = new StringBuilder();
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var paragraph = new List<string>();
        bool inList = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            string trimmed = line.Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                var code = new List<string>();
                for (i++; i < lines.Length && !lines[i].Trim().StartsWith("```", StringComparison.Ordinal); i++) code.Add(lines[i]);
                sb.Append("<pre><code>").Append(WebUtility.HtmlEncode(string.Join("\n", code))).Append("</code></pre>\n");
                continue;
            }
            var heading = Regex.Match(trimmed, "^(#{1,4}) +(.*)$");
            if (heading.Success)
            {
                Flush();
                int level = Math.Min(heading.Groups[1].Length + 1, 6);
                sb.Append($"<h{level}>").Append(Inline(heading.Groups[2].Value)).Append($"</h{level}>\n");
                continue;
            }
            if (trimmed.StartsWith("- ", StringComparison.Ordinal) || trimmed.StartsWith("* ", StringComparison.Ordinal))
            {
                FlushParagraph();
                if (!inList) { sb.Append("<ul>\n"); inList = true; }
                sb.Append("<li>").Append(Inline(trimmed[2..])).Append("</li>\n");
                continue;
            }
            if (trimmed.Length == 0) { Flush(); continue; }
            if (inList) { sb.Append("</ul>\n"); inList = false; }
            paragraph.Add(trimmed);
        }
        Flush();
        return sb.ToString();

        void FlushParagraph()
        {
            if (paragraph.Count == 0) return;
            sb.Append("<p>").Append(Inline(string.Join(" ", paragraph))).Append("</p>\n");
            paragraph.Clear();
        }
        void Flush()
        {
            FlushParagraph();
            if (inList) { sb.Append("</ul>\n"); inList = false; }
        }
    }

    /// <summary>Inline markup on HTML-encoded text; code spans are protected from the other rules.</summary>
    public static string Inline(string text)
    {
        var codes = new List<string>();
        string s = Regex.Replace(text, "`([^`]+)`", m => { codes.Add(m.Groups[1].Value); return $"\u0000{codes.Count - 1}\u0000"; });
        s = WebUtility.HtmlEncode(s);
        s = Regex.Replace(s, @"\*\*(.+?)\*\*", "<strong>$1</strong>");
        s = Regex.Replace(s, @"(?<![\*\w])\*(?!\s)(.+?)(?<!\s)\*(?!\*)", "<em>$1</em>");
        s = Regex.Replace(s, @"\[([^\]]+)\]\(([^)\s]+)\)", m =>
        {
            string href = m.Groups[2].Value;
            // Relative links, anchors and http(s) only: no javascript: or data: links in a report.
            bool safe = !Regex.IsMatch(WebUtility.HtmlDecode(href), "^[a-zA-Z][a-zA-Z0-9+.-]*:") || href.StartsWith("https:", StringComparison.OrdinalIgnoreCase) || href.StartsWith("http:", StringComparison.OrdinalIgnoreCase);
            return safe ? $"<a href=\"{href}\">{m.Groups[1].Value}</a>" : m.Value;
        });
        return Regex.Replace(s, "\u0000(\\d+)\u0000", m => "<code>" + WebUtility.HtmlEncode(codes[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)]) + "</code>");
    }
}
