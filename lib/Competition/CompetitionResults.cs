using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsvHelper;
using CsvHelper.Configuration;
using PianoJudges.Data;

namespace PianoJudges.Competition;

/// <summary>
/// Writes a study's results (atomically): study.json (everything, config, seeds and manifest hash included) and CSV
/// tables: table4.csv, and per setting pairs-*.csv; per ranking entrants-*.csv (Figure 2's points), hitrate-*.csv
/// (Figure 2's curve) and simulation-*.csv (round by round).
/// </summary>
public static class CompetitionResults
{
    public const string JsonFile = "study.json";
    public const string Table4File = "table4.csv";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Writes every file into <paramref name="directory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(CompetitionStudyResult result, string directory)
    {
        var files = new List<string>();
        void Add(string name, string text)
        {
            string path = Path.Combine(directory, name);
            AtomicFile.WriteAllText(path, text);
            files.Add(path);
        }

        Add(JsonFile, JsonSerializer.Serialize(result, Json));
        Add(Table4File, Csv(["encoder", "setting", "candidates", "pairs", "train_pairs", "accuracy", "f1", "paper_accuracy", "paper_f1"],
            result.Table4.Select(r => new object?[] { r.Encoder, r.Setting, r.Candidates, r.Pairs, r.TrainPairs, r.Accuracy, r.F1, r.PaperAccuracy, r.PaperF1 })));
        foreach (var s in result.Settings)
            Add($"pairs-{Slug(s.Setting)}.csv", Csv(["first", "second", "first_name", "second_name", "label", "predicted", "parts", "first_votes", "mean_p_first_better"],
                s.Pairs.Select(p => new object?[] { p.First, p.Second, Name(result, p.First), Name(result, p.Second), p.Label, p.Predicted, p.Parts, p.FirstVotes, p.MeanFirstProbability })));
        foreach (var r in result.Ranking)
        {
            string slug = Slug(r.Setting);
            Add($"entrants-{slug}.csv", Csv(["id", "name", "score", "prize", "parts", "wins", "games", "win_rate", "rank", "bt_strength", "bt_se", "bt_rank", "simulated_rounds_passed", "within_half"],
                r.Entrants.Select(e => new object?[] { e.Id, e.Name, e.Score, e.Prize, e.Parts, e.Wins, e.Games, e.WinRate, e.Rank, e.Strength, e.StrengthSe, e.StrengthRank, e.SimulatedRoundsPassed, e.WithinHalf })));
            Add($"hitrate-{slug}.csv", Csv(["threshold", "at_or_above", "passed", "hit_rate", "is_cutoff"],
                r.HitRate.Points.Select(p => new object?[] { p.Threshold, p.AtOrAbove, p.Passed, p.HitRate, p.Threshold == r.HitRate.CutoffThreshold })));
            Add($"simulation-{slug}.csv", Csv(["round", "real", "simulated", "overlap"],
                r.SimulationVsReal.Rounds.Select(a => new object?[] { a.Round, a.Real, a.Simulated, a.Overlap })));
        }
        return files;
    }

    /// <summary>Reads a study.json back.</summary>
    public static CompetitionStudyResult Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<CompetitionStudyResult>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path}: empty competition study");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a competition study ({e.Message})", e);
        }
    }

    /// <summary>A file-name-safe form of a setting name: "with fitting (by candidate)" -> "with-fitting-by-candidate".</summary>
    public static string Slug(string setting)
    {
        var sb = new StringBuilder();
        foreach (char c in setting.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        return sb.ToString().Trim('-');
    }

    private static string Name(CompetitionStudyResult result, int id) =>
        result.Ranking.Count > 0 && id < result.Ranking[0].Entrants.Count ? result.Ranking[0].Entrants[id].Name : "";

    private static string Csv(IReadOnlyList<string> header, IEnumerable<object?[]> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" }))
        {
            foreach (var h in header) csv.WriteField(h);
            csv.NextRecord();
            foreach (var row in rows)
            {
                foreach (var v in row)
                    csv.WriteField(v switch
                    {
                        null => "",
                        double d => d.ToString("R", CultureInfo.InvariantCulture),
                        bool b => b ? "1" : "0",
                        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                        _ => v.ToString() ?? "",
                    });
                csv.NextRecord();
            }
        }
        return text.ToString();
    }
}
