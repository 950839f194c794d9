namespace PianoJudges.Tests.Notebooks;

using System.Text.Json.Nodes;
using PianoJudges.Tests.Support;
using Xunit.Abstractions;

/// <summary>
/// Every notebook in notebooks/ runs clean in the stock kernel at the tiny size, and every chart it shows is drawn by a
/// real browser. The executed notebooks, each chart output as a page and its screenshot stay in TestResults/notebooks.
/// </summary>
public class NotebookTests(ITestOutputHelper output, NotebookTests.DataFolder data) : IClassFixture<NotebookTests.DataFolder>
{
    /// <summary>One data folder for all notebooks of a test run (PIANOJUDGES_DATA when set, else a temporary folder).</summary>
    public sealed class DataFolder : IDisposable
    {
        private readonly TempDir? _temp;

        public DataFolder()
        {
            string? env = Environment.GetEnvironmentVariable("PIANOJUDGES_DATA");
            if (string.IsNullOrWhiteSpace(env)) { _temp = new TempDir(); Path = _temp.Path; }
            else Path = env;
        }

        public string Path { get; }
        public void Dispose() => _temp?.Dispose();
    }

    public static TheoryData<string> All() => new(NotebookRunner.Notebooks());

    [Theory]
    [MemberData(nameof(All))]
    public void Notebook_runs_clean_and_its_charts_render(string notebook)
    {
        var run = NotebookRunner.Run(notebook, data.Path, TimeSpan.FromMinutes(8));
        output.WriteLine($"{notebook}: exit {run.Process.ExitCode} in {run.Process.Elapsed.TotalSeconds:0.0} s; executed notebook {run.OutputPath}");

        Assert.False(run.Process.TimedOut, $"{notebook} did not finish within 8 minutes.\n{run.Process.Tail()}");
        Assert.True(run.Errors.Count == 0,
            $"{notebook}: {run.Errors.Count} cell(s) failed (executed notebook: {run.OutputPath}):\n" +
            string.Join("\n", run.Errors.Select(e => $"  cell {e.Cell} `{e.FirstLine}`: {e.Name}: {e.Message}")));
        Assert.True(run.Process.ExitCode == 0 && run.Output is not null,
            $"{notebook}: dotnet-repl exited with {run.Process.ExitCode} and no failed cell was recorded.\n{run.Process.Tail()}");

        string dir = RepoPaths.Artefacts("notebooks");
        string stem = Path.GetFileNameWithoutExtension(notebook);
        int k = 0;
        foreach (var (cell, html) in run.ChartOutputs())
        {
            string page = Path.Combine(dir, $"{stem}.cell{cell}.html");
            File.WriteAllText(page, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n" + html + "\n</body></html>\n");
            string dom = Chromium.DumpDom(page);
            Assert.True(dom.Contains("class=\"main-svg\"", StringComparison.Ordinal),
                $"{notebook}: the chart in cell {cell} was not drawn by the browser (page {page}).");
            Chromium.Screenshot(page, Path.ChangeExtension(page, ".png"));
            k++;
        }
        output.WriteLine($"{notebook}: {k} chart output(s) drawn in Chromium");
    }

    [Fact]
    public void A_failing_cell_fails_the_run_with_its_error()
    {
        // Inside the repository: dotnet-repl is a local tool, found through dotnet-tools.json above the notebook's folder.
        string dir = RepoPaths.Artefacts("notebook-harness");
        string library = Path.Combine(RepoPaths.Root, "cli", "bin", "Release", "net10.0", "PianoJudges.Lib.dll");
        var notebook = new JsonObject
        {
            ["cells"] = new JsonArray(Code($"#r \"{library}\"\nPianoJudges.Reporting.NotebookSetup.Install()"),
                Code("throw new InvalidOperationException(\"boom in cell one\");"), Code("1 + 1")),
            ["metadata"] = new JsonObject { ["kernelspec"] = new JsonObject { ["name"] = ".net-csharp", ["language"] = "C#", ["display_name"] = ".NET (C#)" } },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        string path = Path.Combine(dir, "harness-check.ipynb");
        File.WriteAllText(path, notebook.ToJsonString());

        var run = NotebookRunner.Run(path, data.Path, TimeSpan.FromMinutes(5));

        Assert.True(run.Errors.Count == 1, $"expected one failed cell, got {run.Errors.Count}.\n{run.Process.Tail()}");
        var error = run.Errors[0];
        Assert.Equal(1, error.Cell);
        Assert.Contains("boom in cell one", error.Message);
        Assert.NotEqual(0, run.Process.ExitCode);

        static JsonObject Code(string source) => new()
        {
            ["cell_type"] = "code",
            ["metadata"] = new JsonObject { ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" } },
            ["source"] = source,
            ["outputs"] = new JsonArray(),
            ["execution_count"] = null,
        };
    }

    [Fact]
    public void Committed_notebooks_are_clean_and_start_with_the_set_up_cell()
    {
        var notebooks = NotebookRunner.Notebooks().ToArray();
        Assert.NotEmpty(notebooks);
        foreach (var nb in notebooks)
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, nb)))!.AsObject();
            Assert.Equal(".net-csharp", (string?)json["metadata"]?["kernelspec"]?["name"]);
            var cells = json["cells"]!.AsArray();
            var code = cells.Where(c => (string?)c!["cell_type"] == "code").ToArray();
            foreach (var c in code)
            {
                Assert.True(c!["outputs"] is JsonArray { Count: 0 }, $"{nb} has committed outputs: run tools/strip-notebooks.sh");
                Assert.True(c["execution_count"] is null, $"{nb} has execution counts: run tools/strip-notebooks.sh");
            }
            string first = NotebookRun.Join(code[0]!["source"]!);
            Assert.True(first.StartsWith($"#r \"{NotebookRunner.LibraryReference}\"", StringComparison.Ordinal),
                $"{nb}: the first code cell must reference the library as #r \"{NotebookRunner.LibraryReference}\"");
            Assert.Contains("NotebookSetup.Install()", first);
        }
    }

    [Fact]
    public void The_index_lists_every_notebook()
    {
        string index = File.ReadAllText(Path.Combine(RepoPaths.Root, "notebooks", "README.md"));
        foreach (var nb in NotebookRunner.Notebooks())
            Assert.Contains(Path.GetFileName(nb), index);
    }
}
