namespace PianoJudges.Reporting;

using System.Reflection;
using Plotly.NET;

/// <summary>
/// Builds a Plotly.NET chart from plotly.js attribute names. Plotly.NET's typed F# API takes every optional argument
/// (30 or more per chart) as a required FSharpOption from C#, so traces and layout are set as its dynamic objects
/// instead: <c>new { x = ..., mode = "lines" }</c> sets the attributes of the same names (null members are left out).
/// Plotly.NET still supplies its default template, the JSON serialisation and the <see cref="GenericChart"/> type.
/// </summary>
internal sealed class FigureBuilder
{
    private readonly List<Trace> _traces = [];
    private readonly Layout _layout = new();

    /// <summary>The plotly.js default colour sequence (also Plotly.NET's default template).</summary>
    public static readonly string[] Palette =
        ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52"];

    public FigureBuilder Trace(string type, object attributes)
    {
        var trace = new Trace2D(type);
        foreach (var (name, value) in Members(attributes)) trace.SetProperty(name, value);
        _traces.Add(trace);
        return this;
    }

    public FigureBuilder Layout(object attributes)
    {
        foreach (var (name, value) in Members(attributes)) _layout.SetProperty(name, value);
        return this;
    }

    public ChartView Build(string title, int height = ChartView.DefaultHeight)
    {
        _layout.SetProperty("title", new { text = title });
        if (_traces.Count == 0) throw new InvalidOperationException($"Chart '{title}' has no data.");
        GenericChart chart;
        try
        {
            chart = GenericChart.addLayout(_layout, GenericChart.ofTraceObjects(true, _traces));
        }
        catch (Exception e) when (e is TypeInitializationException or MissingMethodException)
        {
            throw new InvalidOperationException(
                "Plotly.NET could not initialise, most likely because two FSharp.Core versions are loaded (a notebook kernel). " +
                "Restart the kernel and call PianoJudges.Reporting.NotebookSetup.Install() right after the #r of PianoJudges.Lib, " +
                "before any chart. Inner error: " + e.Message, e);
        }
        return ChartView.From(chart, title, height);
    }

    /// <summary>Numbers for plotly.js: NaN and infinities become null (a gap), which JSON can carry and NaN cannot.</summary>
    public static double?[] Numbers(IEnumerable<double> values) =>
        values.Select(v => double.IsFinite(v) ? v : (double?)null).ToArray();

    /// <summary>A numeric axis title object.</summary>
    public static object Axis(string title, object? range = null, bool zeroline = false) =>
        range is null ? new { title = new { text = title }, zeroline } : new { title = new { text = title }, zeroline, range };

    private static IEnumerable<(string, object)> Members(object attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (attributes is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (k, v) in pairs) if (v is not null) yield return (k, v);
            yield break;
        }
        foreach (var p in attributes.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (p.GetValue(attributes) is { } value) yield return (p.Name, value);
    }
}
