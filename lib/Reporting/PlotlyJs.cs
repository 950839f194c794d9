namespace PianoJudges.Reporting;

using System.Reflection;

/// <summary>
/// The plotly.js bundle that Plotly.NET ships inside its own assembly, so every chart renders offline:
/// nothing here ever points a browser at a network address.
/// </summary>
public static class PlotlyJs
{
    private static readonly Lazy<(string Name, string Source)> Bundle = new(Load);

    /// <summary>The bundled plotly.js version, e.g. "2.28.0" (from the resource name).</summary>
    public static string Version
    {
        get
        {
            string name = Bundle.Value.Name;
            const string prefix = "Plotly.NET.plotly-", suffix = ".min.js";
            return name[prefix.Length..^suffix.Length];
        }
    }

    /// <summary>The minified plotly.js source (about 3.5 MB).</summary>
    public static string Source => Bundle.Value.Source;

    /// <summary>
    /// Script tags that define <c>window.Plotly</c> from the inlined bundle. plotly.js is a UMD bundle: where an AMD
    /// loader is present (require.js in classic Jupyter and some notebook front ends) it registers as an anonymous AMD
    /// module instead of setting the global, and an anonymous define outside require.js even throws. Hiding
    /// <c>define</c> while the bundle runs makes it take the global path everywhere.
    /// </summary>
    public static string ScriptTags() =>
        "<script type=\"text/javascript\">window.__pianojudgesDefine = window.define; window.define = undefined;</script>\n" +
        "<script type=\"text/javascript\" charset=\"utf-8\">" + EscapeForScript(Source) + "</script>\n" +
        "<script type=\"text/javascript\">window.define = window.__pianojudgesDefine; delete window.__pianojudgesDefine;</script>\n";

    /// <summary>Makes text safe inside a &lt;script&gt; element: a literal "&lt;/script" would end it early.</summary>
    internal static string EscapeForScript(string js) => js.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);

    private static (string, string) Load()
    {
        Assembly plotly = typeof(Plotly.NET.GenericChart).Assembly;
        string? name = plotly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal)
            .LastOrDefault();
        if (name is null)
            throw new InvalidOperationException(
                $"Plotly.NET ({plotly.GetName().Version}) no longer embeds plotly.js as 'Plotly.NET.plotly-<version>.min.js'; " +
                "charts cannot be rendered offline. Resources found: " + string.Join(", ", plotly.GetManifestResourceNames()));
        using var stream = plotly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return (name, reader.ReadToEnd());
    }
}
