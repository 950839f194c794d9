namespace PianoJudges.Tests.Support;

/// <summary>
/// Headless Chromium, to check that chart pages really render offline: the DOM after the scripts ran, and screenshots.
/// tools/test.sh installs it (Debian's chromium); PIANOJUDGES_CHROMIUM names another binary.
/// </summary>
public static class Chromium
{
    private static readonly Lazy<string?> Binary = new(() =>
    {
        string? env = Environment.GetEnvironmentVariable("PIANOJUDGES_CHROMIUM");
        if (!string.IsNullOrWhiteSpace(env)) return File.Exists(env) ? env : null;
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" })
            foreach (var dir in path.Append("/usr/bin"))
            {
                string candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    });

    /// <summary>The browser binary, or a failure that says how to get one.</summary>
    public static string Require() =>
        Binary.Value ?? throw new InvalidOperationException(
            "Headless Chromium is needed to check that charts render: tools/test.sh installs it ('apt-get install -y chromium' on Debian), " +
            "or set PIANOJUDGES_CHROMIUM to a Chromium/Chrome binary.");

    /// <summary>The DOM of <paramref name="htmlFile"/> after its scripts ran (timers included, up to a virtual 10 s).</summary>
    public static string DumpDom(string htmlFile) => RunBrowser(htmlFile, ["--dump-dom"]).StdOut;

    /// <summary>Saves a PNG screenshot of <paramref name="htmlFile"/> at the given window size.</summary>
    public static void Screenshot(string htmlFile, string pngFile, int width = 1200, int height = 800)
    {
        var result = RunBrowser(htmlFile, [$"--screenshot={pngFile}", $"--window-size={width},{height}"]);
        if (!File.Exists(pngFile))
            throw new InvalidOperationException($"Chromium wrote no screenshot {pngFile} (exit {result.ExitCode}).\n{result.Tail()}");
    }

    private static ProcessResult RunBrowser(string htmlFile, string[] action)
    {
        string binary = Require();
        using var profile = new TempDir();
        string[] args =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--hide-scrollbars", "--virtual-time-budget=10000",
            $"--user-data-dir={profile.Path}", .. action, new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri,
        ];
        var result = ProcessRunner.Run(binary, args, profile.Path, TimeSpan.FromMinutes(2));
        if (result.TimedOut) throw new TimeoutException($"Chromium did not finish {string.Join(" ", action)} {htmlFile} within 2 minutes.\n{result.Tail()}");
        return result;
    }

    /// <summary>
    /// For each id, whether the element with that id holds a drawn plotly chart (an &lt;svg class="main-svg"&gt;; the class
    /// name alone also occurs in plotly.js's own source) in a dumped DOM.
    /// Each chart's region runs from its id to the next id in the list.
    /// </summary>
    public static IReadOnlyDictionary<string, bool> DrawnCharts(string dom, IReadOnlyList<string> ids)
    {
        var starts = ids.Select(id => (id, at: dom.IndexOf($"id=\"{id}\"", StringComparison.Ordinal))).ToList();
        var result = new Dictionary<string, bool>();
        foreach (var (id, at) in starts)
        {
            if (at < 0) { result[id] = false; continue; }
            int end = starts.Where(s => s.at > at).Select(s => s.at).DefaultIfEmpty(dom.Length).Min();
            result[id] = dom.AsSpan(at, end - at).IndexOf("class=\"main-svg\"".AsSpan(), StringComparison.Ordinal) >= 0;
        }
        return result;
    }
}
