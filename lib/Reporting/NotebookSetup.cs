namespace PianoJudges.Reporting;

using System.Reflection;
using System.Runtime.Loader;
using PianoJudges.Data;

/// <summary>How much work a notebook does: tiny for the tests, small (the default) on a laptop, full for the real thing.</summary>
public enum NotebookSize
{
    Tiny,
    Small,
    Full,
}

/// <summary>What <see cref="NotebookSetup.Install"/> found; a notebook's first cell shows it.</summary>
/// <param name="Library">PianoJudges.Lib's version and location.</param>
/// <param name="DataFolder">The resolved data folder (<see cref="DataPaths"/>).</param>
/// <param name="Size">The notebook size (<see cref="NotebookSetup.SizeVariable"/>).</param>
/// <param name="FSharpCore">The FSharp.Core that Plotly.NET binds to in this process.</param>
/// <param name="PlotlyJs">The plotly.js version inlined into chart outputs.</param>
[TypeFormatterSource(typeof(NotebookHtmlFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed record NotebookEnvironment(string Library, string DataFolder, NotebookSize Size, string FSharpCore, string PlotlyJs) : INotebookHtml
{
    public Table ToTable() => Table.FromPairs(
        [new("library", Library), new("data folder", DataFolder), new("notebook size", Size), new("FSharp.Core", FSharpCore), new("plotly.js (inlined)", PlotlyJs)],
        "item", "value", "Notebook environment");

    public string ToNotebookHtml() => ToTable().ToHtml();
}

/// <summary>
/// The first call in every notebook (right after the #r of PianoJudges.Lib): makes Plotly.NET loadable in the
/// stock .NET Interactive kernel and reports the environment. Notebooks hold no logic beyond calls into the library.
/// </summary>
public static class NotebookSetup
{
    /// <summary>Environment variable that picks the <see cref="NotebookSize"/>: tiny, small or full (default small).</summary>
    public const string SizeVariable = "PIANOJUDGES_NOTEBOOK_SIZE";

    private static readonly object Gate = new();
    private static bool _installed;

    /// <summary>The size named by <see cref="SizeVariable"/>; an unknown value is an error that names the allowed ones.</summary>
    public static NotebookSize Size
    {
        get
        {
            string? value = Environment.GetEnvironmentVariable(SizeVariable);
            if (string.IsNullOrWhiteSpace(value)) return NotebookSize.Small;
            return Enum.TryParse<NotebookSize>(value.Trim(), ignoreCase: true, out var size) && Enum.IsDefined(size)
                ? size
                : throw new InvalidOperationException($"{SizeVariable}='{value}' is not a notebook size; use tiny, small or full.");
        }
    }

    /// <summary>The value for the current <see cref="Size"/>.</summary>
    public static T Pick<T>(T tiny, T small, T full) => Size switch
    {
        NotebookSize.Tiny => tiny,
        NotebookSize.Small => small,
        _ => full,
    };

    /// <summary>
    /// Installs the FSharp.Core redirect (idempotent) and returns the environment. Call it before anything touches a
    /// chart. The stock kernel has its own FSharp.Core (10.0) in the default load context, and it loads #r assemblies
    /// and their dependencies into Roslyn scripting load contexts; Plotly.NET 6 asks for FSharp.Core 10.1, so without
    /// the redirect the scripting loader adds a second FSharp.Core from our build output, Plotly.NET and
    /// Giraffe.ViewEngine bind different copies, and Plotly.NET's defaults fail with a MissingMethodException.
    /// Every request for FSharp.Core is therefore answered with the copy already loaded (the F# API Plotly.NET uses
    /// exists in both), in whichever load context asks: the default one, the one holding this library, and any other
    /// through AppDomain.AssemblyResolve. In an ordinary application FSharp.Core 10.1 comes from deps.json and the
    /// handlers never run.
    /// </summary>
    public static NotebookEnvironment Install()
    {
        lock (Gate)
        {
            if (!_installed)
            {
                AssemblyLoadContext.Default.Resolving += ResolveFSharpCore;
                var own = AssemblyLoadContext.GetLoadContext(typeof(NotebookSetup).Assembly);
                if (own is not null && own != AssemblyLoadContext.Default) own.Resolving += ResolveFSharpCore;
                AppDomain.CurrentDomain.AssemblyResolve += (_, args) => ResolveFSharpCore(null, new AssemblyName(args.Name));
                _installed = true;
            }
        }
        return Describe();
    }

    /// <summary>The environment as it is now.</summary>
    public static NotebookEnvironment Describe()
    {
        var lib = typeof(NotebookSetup).Assembly;
        var fsharp = LoadedFSharpCore();
        return new NotebookEnvironment(
            $"{lib.GetName().Version} ({lib.Location})",
            DataPaths.Resolve().Root,
            Size,
            fsharp is null ? "not loaded" : $"{fsharp.GetName().Version} ({fsharp.Location})",
            ReadPlotlyVersion());
    }

    private static Assembly? ResolveFSharpCore(AssemblyLoadContext? context, AssemblyName name) =>
        name.Name == "FSharp.Core" ? LoadedFSharpCore() : null;

    private static Assembly? LoadedFSharpCore() =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name == "FSharp.Core")
            .OrderByDescending(a => a.GetName().Version)
            .FirstOrDefault();

    // Not inlined, so that compiling Install cannot load Plotly.NET before the redirect is in place.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string ReadPlotlyVersion() => Reporting.PlotlyJs.Version;
}
