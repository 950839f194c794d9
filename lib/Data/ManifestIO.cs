namespace PianoJudges.Data;

using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

/// <summary>Reads and writes manifests: a "# provenance: …" line, then a CSV header and rows.</summary>
public static class ManifestIO
{
    public static readonly IReadOnlyList<string> Columns =
        ["id", "audio_id", "task", "label", "labels", "group", "split", "duration_s", "source", "title", "extra"];

    private const string ProvenancePrefix = "# provenance: ";

    public static void Write(string path, Manifest manifest) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            writer.Write(ProvenancePrefix + manifest.Provenance.ReplaceLineEndings(" ") + "\n");
            using var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" });
            foreach (var c in Columns) csv.WriteField(c);
            csv.NextRecord();
            foreach (var r in manifest.Rows)
            {
                CheckExtra(r);
                csv.WriteField(r.Id);
                csv.WriteField(r.AudioId);
                csv.WriteField(r.Task);
                csv.WriteField(r.Label?.ToString(CultureInfo.InvariantCulture) ?? "");
                csv.WriteField(r.Labels ?? "");
                csv.WriteField(r.Group ?? "");
                csv.WriteField(r.Split ?? "");
                csv.WriteField(r.DurationSeconds?.ToString("0.###", CultureInfo.InvariantCulture) ?? "");
                csv.WriteField(r.Source);
                csv.WriteField(r.Title ?? "");
                csv.WriteField(r.Extra is null ? "" : string.Join(";", r.Extra.Select(kv => $"{kv.Key}={kv.Value}")));
                csv.NextRecord();
            }
        });

    // The extra column is key=value;key=value: a ';' inside, or an '=' in a key, would not read back.
    private static void CheckExtra(ManifestRow r)
    {
        if (r.Extra is null) return;
        foreach (var (k, v) in r.Extra)
            if (k.Length == 0 || k.IndexOfAny([';', '=']) >= 0 || v.Contains(';'))
                throw new ArgumentException($"row '{r.Id}': extra '{k}={v}' cannot be written (keys need no ';' or '=', values no ';')");
    }

    public static Manifest Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader, path);
    }

    public static Manifest Read(TextReader reader, string name)
    {
        string? first = reader.ReadLine();
        if (first is null || !first.StartsWith(ProvenancePrefix, StringComparison.Ordinal))
            throw new ManifestException(name, 1, $"the first line must be '{ProvenancePrefix.Trim()} …' saying where the rows came from");
        string provenance = first[ProvenancePrefix.Length..].Trim();
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { MissingFieldFound = null, BadDataFound = null });
        if (!csv.Read() || !csv.ReadHeader())
            throw new ManifestException(name, 2, "no header row");
        var header = csv.HeaderRecord!;
        var missing = Columns.Where(c => !header.Contains(c)).ToList();
        if (missing.Count > 0)
            throw new ManifestException(name, 2, $"missing column(s): {string.Join(", ", missing)}; expected {string.Join(",", Columns)}");
        var rows = new List<ManifestRow>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        while (csv.Read())
        {
            int line = csv.Parser.RawRow + 1; // +1 for the provenance line
            string Field(string c) => csv.GetField(c) ?? "";
            string? Opt(string c) => string.IsNullOrEmpty(Field(c)) ? null : Field(c);
            string id = Field("id");
            if (string.IsNullOrWhiteSpace(id)) throw new ManifestException(name, line, "empty id");
            if (seen.TryGetValue(id, out int firstLine))
                throw new ManifestException(name, line, $"duplicate id '{id}' (first on line {firstLine})");
            seen[id] = line;
            string task = Field("task");
            if (!ManifestTask.All.Contains(task))
                throw new ManifestException(name, line, $"unknown task '{task}'; expected one of {string.Join(", ", ManifestTask.All)}");
            int? label = null;
            if (Opt("label") is { } l)
            {
                if (!int.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                    throw new ManifestException(name, line, $"label '{l}' is not an integer");
                label = v;
            }
            double? duration = null;
            if (Opt("duration_s") is { } d)
            {
                if (!double.TryParse(d, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v < 0)
                    throw new ManifestException(name, line, $"duration_s '{d}' is not a non-negative number");
                duration = v;
            }
            Dictionary<string, string>? extra = null;
            if (Opt("extra") is { } e)
            {
                extra = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var kv in e.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2)))
                    if (!extra.TryAdd(kv[0], kv.Length > 1 ? kv[1] : ""))
                        throw new ManifestException(name, line, $"row '{id}': the extra column names '{kv[0]}' twice");
            }
            var row = new ManifestRow(id, Opt("audio_id") ?? id, task, label, Opt("labels"), Opt("group"), Opt("split"),
                duration, Field("source"), Opt("title"), extra);
            ManifestValidation.Check(row, name, line);
            rows.Add(row);
        }
        return new Manifest(provenance, rows, name);
    }
}

/// <summary>A manifest that cannot be used, naming the file, the line and the problem.</summary>
public sealed class ManifestException(string path, int line, string problem)
    : Exception($"{path}:{line}: {problem}")
{
    public string Path { get; } = path;
    public int Line { get; } = line;
}

/// <summary>Per-task checks of label ranges and formats.</summary>
public static class ManifestValidation
{
    public static void Check(ManifestRow row, string name, int line)
    {
        void Fail(string p) => throw new ManifestException(name, line, $"row '{row.Id}': {p}");
        if (row.AudioId.IndexOfAny(['/', '\\']) >= 0 || row.AudioId.Contains("..", StringComparison.Ordinal))
            Fail($"audio_id '{row.AudioId}' must be a plain file stem (no path separators or '..')");
        switch (row.Task)
        {
            case ManifestTask.Expertise when row.Label is not (>= 0 and <= 2):
                Fail($"expertise label must be 0 (beginner), 1 (advanced) or 2 (virtuoso), got '{row.Label}'"); break;
            case ManifestTask.Difficulty when row.Label is not (>= 1 and <= 9):
                Fail($"difficulty label must be a Henle grade 1-9, got '{row.Label}'"); break;
            case ManifestTask.Icpc2015 when row.Label is not (>= 0 and <= 4):
                Fail($"icpc2015 label must be rounds passed 0-4, got '{row.Label}'"); break;
            case ManifestTask.Technique:
                if (row.Labels is null || row.Labels.Length != Techniques.Names.Count || row.Labels.Any(c => c is not ('0' or '1')))
                    Fail($"technique labels must be {Techniques.Names.Count} characters of 0/1 ({string.Join(",", Techniques.Names)}), got '{row.Labels}'");
                break;
        }
        if (row.Split is not (null or "train" or "validation" or "test"))
            Fail($"split must be train, validation, test or empty, got '{row.Split}'");
    }
}
