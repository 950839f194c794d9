namespace PianoJudges.Reporting;

using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using PianoJudges.Data;

/// <summary>
/// Rows of values under named columns, rendered as Markdown, CSV or HTML. Values keep their type until rendered:
/// CSV gets numbers at full (round-trip) precision, Markdown and HTML get <see cref="NumberFormat"/>.
/// In a notebook a cell that ends with a <see cref="Table"/> shows it as an HTML table.
/// </summary>
[TypeFormatterSource(typeof(NotebookHtmlFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed class Table : INotebookHtml
{
    private readonly object?[][] _rows;

    /// <param name="columns">Column headers, at least one.</param>
    /// <param name="rows">One value per column in each row.</param>
    /// <param name="caption">Optional caption shown above the table.</param>
    /// <param name="numberFormat">.NET format string for floating-point values in Markdown and HTML (invariant culture).</param>
    public Table(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<object?>> rows, string? caption = null, string numberFormat = "0.####")
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        if (columns.Count == 0) throw new ArgumentException("A table needs at least one column.", nameof(columns));
        Columns = columns.ToArray();
        _rows = rows.Select((r, i) =>
        {
            if (r is null) throw new ArgumentException($"Row {i} is null.", nameof(rows));
            if (r.Count != columns.Count)
                throw new ArgumentException($"Row {i} has {r.Count} values but the table has {columns.Count} columns ({string.Join(", ", columns)}).", nameof(rows));
            return r.ToArray();
        }).ToArray();
        Caption = caption;
        NumberFormat = numberFormat;
    }

    public IReadOnlyList<string> Columns { get; }
    public IReadOnlyList<IReadOnlyList<object?>> Rows => _rows;
    public string? Caption { get; }
    public string NumberFormat { get; }

    /// <summary>
    /// One row per item, one column per public readable instance property of <typeparamref name="T"/>, in declaration
    /// order (a record's parameters give its columns).
    /// </summary>
    public static Table FromRecords<T>(IEnumerable<T> items, string? caption = null, string numberFormat = "0.####")
    {
        ArgumentNullException.ThrowIfNull(items);
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.MetadataToken)
            .ToArray();
        if (properties.Length == 0) throw new ArgumentException($"{typeof(T).Name} has no public properties to make columns of.", nameof(items));
        return new Table(
            properties.Select(p => p.Name).ToArray(),
            items.Select(item => (IReadOnlyList<object?>)properties.Select(p => item is null ? null : p.GetValue(item)).ToArray()),
            caption, numberFormat);
    }

    /// <summary>A two-column table (key, value) from pairs, e.g. a configuration.</summary>
    public static Table FromPairs(IEnumerable<KeyValuePair<string, object?>> pairs, string keyHeader = "setting", string valueHeader = "value", string? caption = null) =>
        new([keyHeader, valueHeader], pairs.Select(p => (IReadOnlyList<object?>)[p.Key, p.Value]), caption);

    /// <summary>GitHub-flavoured Markdown; '|' is escaped and line breaks become spaces.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        if (Caption is not null) sb.Append("**").Append(MarkdownCell(Caption)).Append("**\n\n");
        sb.Append("| ").AppendJoin(" | ", Columns.Select(MarkdownCell)).Append(" |\n");
        sb.Append('|').AppendJoin("|", Columns.Select((_, c) => IsNumericColumn(c) ? " ---: " : " --- ")).Append("|\n");
        foreach (var row in _rows)
            sb.Append("| ").AppendJoin(" | ", row.Select(v => MarkdownCell(Display(v)))).Append(" |\n");
        return sb.ToString();
    }

    /// <summary>
    /// RFC 4180 CSV (header row first, "\n" line ends). Cells that a spreadsheet would run as a formula (starting with
    /// = + - @, tab or carriage return) get a leading apostrophe, except plain numbers, which cannot be formulas.
    /// </summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.AppendJoin(",", Columns.Select(CsvCell)).Append('\n');
        foreach (var row in _rows)
            sb.AppendJoin(",", row.Select(v => CsvCell(Raw(v)))).Append('\n');
        return sb.ToString();
    }

    /// <summary>An HTML table (class "pj-table"), every value HTML-encoded; numeric columns right-aligned.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<table class=\"pj-table\" style=\"border-collapse:collapse\">\n");
        if (Caption is not null) sb.Append("<caption style=\"caption-side:top;text-align:left;font-weight:bold\">").Append(WebUtility.HtmlEncode(Caption)).Append("</caption>\n");
        const string cellStyle = "border:1px solid #ccc;padding:2px 8px";
        sb.Append("<thead><tr>");
        foreach (var c in Columns) sb.Append($"<th style=\"{cellStyle}\">").Append(WebUtility.HtmlEncode(c)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in _rows)
        {
            sb.Append("<tr>");
            for (int c = 0; c < row.Length; c++)
            {
                string align = IsNumeric(row[c]) ? ";text-align:right" : "";
                sb.Append($"<td style=\"{cellStyle}{align}\">").Append(WebUtility.HtmlEncode(Display(row[c]))).Append("</td>");
            }
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody></table>\n");
        return sb.ToString();
    }

    public string ToNotebookHtml() => ToHtml();

    /// <summary>Writes <see cref="ToCsv"/> atomically.</summary>
    public void SaveCsv(string path) => AtomicFile.WriteAllText(path, ToCsv());

    /// <summary>Writes <see cref="ToMarkdown"/> atomically.</summary>
    public void SaveMarkdown(string path) => AtomicFile.WriteAllText(path, ToMarkdown());

    public override string ToString() => ToMarkdown();

    private bool IsNumericColumn(int c) => _rows.Length > 0 && _rows.All(r => r[c] is null || IsNumeric(r[c]));

    private static bool IsNumeric(object? v) => v is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal;

    /// <summary>The value as shown to a reader.</summary>
    private string Display(object? v) => v switch
    {
        null => "",
        double d => FormatDouble(d, NumberFormat),
        float f => FormatDouble(f, NumberFormat),
        decimal m => m.ToString(NumberFormat, CultureInfo.InvariantCulture),
        TimeSpan t => FormatDuration(t),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        string s => s,
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Display)) + "]",
        _ => v.ToString() ?? "",
    };

    /// <summary>The value as data: full precision, invariant culture.</summary>
    private static string Raw(object? v) => v switch
    {
        null => "",
        double d => FormatDouble(d, "R"),
        float f => FormatDouble(f, "R"),
        TimeSpan t => t.TotalSeconds.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        string s => s,
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Raw)) + "]",
        _ => v.ToString() ?? "",
    };

    private static string FormatDouble(double d, string format) =>
        double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "inf" : double.IsNegativeInfinity(d) ? "-inf"
        : d.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Seconds below a minute ("12.3 s"), else h:mm:ss.</summary>
    internal static string FormatDuration(TimeSpan t) =>
        t.TotalSeconds < 60 ? t.TotalSeconds.ToString("0.0##", CultureInfo.InvariantCulture) + " s"
        : $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}";

    private static string MarkdownCell(string s) =>
        s.Replace("\\", "\\\\").Replace("|", "\\|").Replace("\r\n", " ").Replace('\n', ' ').Replace('\r', ' ');

    private static readonly Regex PlainNumber = new(@"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", RegexOptions.CultureInvariant);

    /// <summary>Quotes and neutralises one CSV cell (see <see cref="ToCsv"/>).</summary>
    public static string CsvCell(string s)
    {
        if (s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !PlainNumber.IsMatch(s))
            s = "'" + s;
        bool quote = s.IndexOfAny([',', '"', '\n', '\r']) >= 0 || (s.Length > 0 && (char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1])));
        return quote ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }
}
