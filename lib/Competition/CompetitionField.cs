using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PianoJudges.Data;

namespace PianoJudges.Competition;

/// <summary>A candidate taking part in the study.</summary>
/// <param name="Id">Candidate id: index into the field (manifest order), as <see cref="CompetitionPairs"/> expects.</param>
/// <param name="Key">The manifest row id.</param>
/// <param name="Name">The candidate's name (manifest title, else the row id).</param>
/// <param name="Score">Rounds passed (the manifest label), 0..4 for ICPC 2015.</param>
/// <param name="Prize">Prize 1..6 from the manifest's extra, when there is one.</param>
/// <param name="Parts">Embedded parts of the recording (ids <see cref="RecordingParts.PartId"/> 1..Parts).</param>
public sealed record Entrant(int Id, string Key, string Name, string AudioId, int Score, int? Prize, int Parts)
{
    public string PartId(int part) => RecordingParts.PartId(AudioId, part);
}

/// <summary>A manifest row left out of the study, and why.</summary>
public sealed record ExcludedRow(string Key, string Name, int? Score, string Reason);

/// <summary>
/// The candidates of one competition: those with a score and embedded audio, in manifest order.
/// Round sizes are counted over every scored row of the manifest, audio or not.
/// </summary>
/// <param name="ManifestHash">SHA-256 of the manifest's rows (provenance excluded), to tie results to their data.</param>
/// <param name="ScoreCounts">ScoreCounts[s] = scored manifest rows with score s (candidates out after round s).</param>
/// <param name="RoundSizes">RoundSizes[k-1] = scored manifest rows that passed at least k rounds.</param>
public sealed record CompetitionField(
    string ManifestName,
    string ManifestHash,
    IReadOnlyList<Entrant> Entrants,
    IReadOnlyList<ExcludedRow> Excluded,
    int[] ScoreCounts,
    int[] RoundSizes)
{
    public int Count => Entrants.Count;
    public int[] Scores => Entrants.Select(e => e.Score).ToArray();

    /// <summary>
    /// Builds the field. <paramref name="partsOf"/> gives the number of embedded parts of an audio id (0 or null: no audio).
    /// Rows without a label are left out (the released code drops candidates without a score), as are rows without audio.
    /// </summary>
    public static CompetitionField FromManifest(Manifest manifest, string manifestName, Func<string, int?> partsOf)
    {
        var entrants = new List<Entrant>();
        var excluded = new List<ExcludedRow>();
        var scored = new List<int>();
        foreach (var row in manifest.Rows)
        {
            string name = string.IsNullOrWhiteSpace(row.Title) ? row.Id : row.Title!;
            if (row.Label is not int score)
            {
                excluded.Add(new ExcludedRow(row.Id, name, null, "no score (label) in the manifest"));
                continue;
            }
            if (score < 0) throw new ArgumentException($"{manifestName}: row '{row.Id}' has score {score}; a score is a number of rounds passed (0 or more)");
            scored.Add(score);
            int parts = partsOf(row.AudioId) ?? 0;
            if (parts < 1)
            {
                excluded.Add(new ExcludedRow(row.Id, name, score, $"no embedded audio for '{row.AudioId}'"));
                continue;
            }
            int? prize = row.Extra is not null && row.Extra.TryGetValue("prize", out var p)
                && int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int pr) ? pr : null;
            entrants.Add(new Entrant(entrants.Count, row.Id, name, row.AudioId, score, prize, parts));
        }
        if (scored.Count == 0) throw new ArgumentException($"{manifestName}: no row has a score (label)");
        var counts = new int[scored.Max() + 1];
        foreach (int s in scored) counts[s]++;
        return new CompetitionField(manifestName, Hash(manifest), entrants, excluded, counts, CompetitionSimulation.RoundSizes(scored));
    }

    /// <summary>SHA-256 over the rows' fields, one line per row (the provenance line is left out).</summary>
    public static string Hash(Manifest manifest)
    {
        var sb = new StringBuilder();
        foreach (var r in manifest.Rows)
        {
            string extra = r.Extra is null ? "" : string.Join(";", r.Extra.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
            sb.Append(string.Join('\u001f', r.Id, r.AudioId, r.Task, r.Label?.ToString(CultureInfo.InvariantCulture) ?? "", r.Labels ?? "",
                r.Group ?? "", r.Split ?? "", r.DurationSeconds?.ToString("R", CultureInfo.InvariantCulture) ?? "", r.Source, r.Title ?? "", extra));
            sb.Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
