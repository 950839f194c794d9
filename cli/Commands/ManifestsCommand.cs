namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Data;
using Spectre.Console;

/// <summary>`pianojudges manifests convert|list`: derive data-manifests/ from the reference data; show the embedded manifests.</summary>
public sealed class ManifestsCommand : ICliCommand
{
    public Command Build()
    {
        var cmd = new Command("manifests", "The task manifests: convert them from the reference data, or list the embedded ones.");

        var reference = new Option<string?>("--reference")
        {
            Description = "Reference data folder with pianojudges/ and icpc2015/ (default: ../shared/reference-data relative to the repository root).",
        };
        var output = new Option<string?>("--out")
        {
            Description = "Where to write the manifests (default: data-manifests/ in the repository root).",
        };
        var convert = new Command("convert", "Convert the published metadata into data-manifests/*.csv and difficulty_folds.json (rebuild to embed them).");
        convert.Options.Add(reference);
        convert.Options.Add(output);
        convert.SetAction(parse =>
        {
            string? repo = FindRepoRoot();
            string? refDir = parse.GetValue(reference) ?? (repo is null ? null : Path.Combine(repo, "..", "shared", "reference-data"));
            string? outDir = parse.GetValue(output) ?? (repo is null ? null : Path.Combine(repo, "data-manifests"));
            if (refDir is null || outDir is null)
            {
                AnsiConsole.MarkupLine("[red]Not inside the repository: give --reference and --out.[/]");
                return 2;
            }
            refDir = Path.GetFullPath(refDir);
            if (!Directory.Exists(refDir))
            {
                AnsiConsole.MarkupLine($"[red]Reference data folder not found:[/] {Markup.Escape(refDir)}");
                return 2;
            }
            var result = ReferenceConversion.ConvertAndWrite(refDir, outDir);
            var table = new Table().AddColumn("file").AddColumn("rows").AddColumn("per label");
            foreach (var (file, m) in result.Manifests)
                table.AddRow(file, m.Rows.Count.ToString(), Markup.Escape(string.Join(" ", m.Rows.GroupBy(r => r.Label?.ToString() ?? "multi-hot").OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}"))));
            table.AddRow(ReferenceConversion.DifficultyFoldsFile, $"{result.Folds.Folds.Count} folds", $"{result.Folds.Henle.Count} pieces");
            AnsiConsole.Write(table);
            foreach (var n in result.Notes) Console.WriteLine(n);
            Print(result.Icpc);
            AnsiConsole.MarkupLine($"Wrote {Markup.Escape(Path.GetFullPath(outDir))}. Rebuild so the library embeds the new files.");
            return 0;
        });
        cmd.Subcommands.Add(convert);

        var list = new Command("list", "Rows per label of each embedded manifest.");
        list.SetAction(_ =>
        {
            var table = new Table().AddColumn("name").AddColumn("rows").AddColumn("per label").AddColumn("provenance");
            foreach (var name in ManifestCatalog.Names)
            {
                var m = ManifestCatalog.Load(name);
                table.AddRow(name, m.Rows.Count.ToString(),
                    Markup.Escape(string.Join(" ", m.Rows.GroupBy(r => r.Label?.ToString() ?? "multi-hot").OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}"))),
                    Markup.Escape(m.Provenance.Length > 80 ? m.Provenance[..80] + "…" : m.Provenance));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        cmd.Subcommands.Add(list);
        return cmd;
    }

    private static void Print(IcpcConversionReport r)
    {
        Console.WriteLine("ICPC 2015 round sizes (label = rounds passed), all candidates: " +
                          string.Join(", ", r.RoundSizes.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}")));
        Console.WriteLine("ICPC 2015 rows (candidates with a preliminary video): " +
                          string.Join(", ", r.RowRoundSizes.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}")));
        void Section(string title, IReadOnlyList<string> lines)
        {
            Console.WriteLine($"{title} ({lines.Count}):");
            foreach (var l in lines) Console.WriteLine("  " + l);
        }
        Section("Unmatched names", r.Unmatched);
        Section("Names matched by a rule other than exact", r.Resolved);
        Section("Inconsistencies between sources", r.Inconsistencies);
        Section("Candidates without a preliminary video (no row)", r.WithoutPreliminaryVideo);
    }

    /// <summary>The folder holding PianoJudges.Lib.csproj, searched upwards from the working directory.</summary>
    public static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PianoJudges.Lib.csproj"))) return dir.FullName;
        return null;
    }
}
