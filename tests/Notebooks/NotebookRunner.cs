namespace PianoJudges.Tests.Notebooks;

using System.Text.Json.Nodes;
using PianoJudges.Tests.Support;

/// <summary>A failed cell of an executed notebook.</summary>
public sealed record CellError(int Cell, string FirstLine, string Name, string Message);

/// <summary>An executed notebook: the process result, the output notebook's path and its failed cells.</summary>
public sealed record NotebookRun(string Notebook, string OutputPath, ProcessResult Process, IReadOnlyList<CellError> Errors, JsonObject? Output)
{
    /// <summary>Every text/html output that holds a chart (ChartView.ToNotebookHtml), with its cell index.</summary>
    public IEnumerable<(int Cell, string Html)> ChartOutputs()
    {
        if (Output?["cells"] is not JsonArray cells) yield break;
        for (int i = 0; i < cells.Count; i++)
            foreach (var output in cells[i]!["outputs"] as JsonArray ?? [])
                if (output?["data"]?["text/html"] is JsonNode html && Join(html) is var text && text.Contains("class=\"pj-notebook-chart\"", StringComparison.Ordinal))
                    yield return (i, text);
    }

    internal static string Join(JsonNode source) => source is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)source ?? "";
}

/// <summary>
/// Runs a notebook the way a user's kernel does: the stock .NET Interactive kernel through the repository's local
/// dotnet-repl tool, started in the notebook's folder, against the CLI's Release build output.
/// </summary>
public static class NotebookRunner
{
    /// <summary>The size every notebook test runs at (see PianoJudges.Reporting.NotebookSetup).</summary>
    public const string TestSize = "tiny";

    private static readonly Lazy<bool> Prepared = new(Prepare, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The committed notebooks, relative to the repository root.</summary>
    public static IEnumerable<string> Notebooks() =>
        Directory.GetFiles(Path.Combine(RepoPaths.Root, "notebooks"), "*.ipynb")
            .Select(p => Path.GetRelativePath(RepoPaths.Root, p))
            .Order(StringComparer.Ordinal);

    /// <summary>The library the notebooks reference (their first cell's #r), relative to the notebooks folder.</summary>
    public const string LibraryReference = "../cli/bin/Release/net10.0/PianoJudges.Lib.dll";

    /// <summary>Runs <paramref name="notebook"/> (relative to the repository root, or absolute) from its own folder.</summary>
    public static NotebookRun Run(string notebook, string dataFolder, TimeSpan timeout)
    {
        _ = Prepared.Value;
        string full = Path.Combine(RepoPaths.Root, notebook);
        string name = Path.GetFileNameWithoutExtension(full);
        string outputPath = Path.Combine(RepoPaths.Artefacts("notebooks"), name + ".ipynb");
        if (File.Exists(outputPath)) File.Delete(outputPath);
        var process = ProcessRunner.Run("dotnet",
            ["tool", "run", "dotnet-repl", "--run", Path.GetFileName(full), "--exit-after-run", "--output-path", outputPath],
            Path.GetDirectoryName(full)!, timeout,
            new Dictionary<string, string> { ["PIANOJUDGES_NOTEBOOK_SIZE"] = TestSize, ["PIANOJUDGES_DATA"] = dataFolder });
        JsonObject? output = File.Exists(outputPath) ? JsonNode.Parse(File.ReadAllText(outputPath))?.AsObject() : null;
        return new NotebookRun(notebook, outputPath, process, output is null ? [] : Errors(output), output);
    }

    /// <summary>Every error output, with the first source line of its cell.</summary>
    public static IReadOnlyList<CellError> Errors(JsonObject notebook)
    {
        var errors = new List<CellError>();
        var cells = notebook["cells"] as JsonArray ?? [];
        for (int i = 0; i < cells.Count; i++)
        {
            var cell = cells[i]!;
            string first = NotebookRun.Join(cell["source"] ?? "").Split('\n').FirstOrDefault(l => l.Trim().Length > 0) ?? "";
            foreach (var output in cell["outputs"] as JsonArray ?? [])
                if ((string?)output?["output_type"] == "error")
                    errors.Add(new CellError(i, first.Trim(), (string?)output!["ename"] ?? "", (string?)output["evalue"] ?? ""));
        }
        return errors;
    }

    /// <summary>Restores the local tools and makes sure the CLI's Release output (which the notebooks #r) is current.</summary>
    private static bool Prepare()
    {
        var restore = ProcessRunner.Run("dotnet", ["tool", "restore"], RepoPaths.Root, TimeSpan.FromMinutes(5));
        if (restore.ExitCode != 0)
            throw new InvalidOperationException($"'dotnet tool restore' failed (exit {restore.ExitCode}); the notebooks need the dotnet-repl tool from dotnet-tools.json.\n{restore.Tail()}");
        string library = Path.GetFullPath(Path.Combine(RepoPaths.Root, "notebooks", LibraryReference));
        // A Release test build has just built cli in Release (the test project references it); otherwise build it here.
        if (RepoPaths.Configuration != "Release" || !File.Exists(library))
        {
            var build = ProcessRunner.Run("dotnet", ["build", "cli", "-c", "Release", "--nologo", "-v", "q"], RepoPaths.Root, TimeSpan.FromMinutes(10));
            if (build.ExitCode != 0) throw new InvalidOperationException($"'dotnet build cli -c Release' failed (exit {build.ExitCode}).\n{build.Tail()}");
        }
        if (!File.Exists(library)) throw new InvalidOperationException($"{library} is missing after building cli in Release.");
        return true;
    }
}
