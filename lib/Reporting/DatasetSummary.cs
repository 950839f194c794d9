namespace PianoJudges.Reporting;

using PianoJudges.Data;
using PianoJudges.Encoders;
using PianoJudges.Probing;

/// <summary>The paper's Tables 1 and 2 as tables: the encoders, and the dataset's classes, counts and durations.</summary>
public static class DatasetSummary
{
    /// <summary>Table 1: each encoder's sample rate, frame rate, dimension and frames per 10 s segment, from the registry.</summary>
    public static Table Table1() => new(
        ["encoder", "model", "sample rate (Hz)", "frame rate (Hz)", "paper's frame rate (Hz)", "dim", "frames per 10 s"],
        EncoderRegistry.Entries.Select(e => (IReadOnlyList<object?>)
            [e.Info.Name, e.Model, e.Info.SampleRate, Math.Round(e.Info.FrameRate, 2), e.PaperFrameRate, e.Info.Dim, e.Info.FramesPerSegment]),
        caption: "Table 1: the encoders (lib/Encoders/EncoderRegistry.cs)");

    /// <summary>Table 2: per task and class, the number of recordings and their total and mean duration.</summary>
    public static Table Table2(ProbeDataset dataset) => new(
        ["task", "class", "recordings", "total (min)", "mean (s)"],
        dataset.Manifests.OrderBy(kv => kv.Key, StringComparer.Ordinal).SelectMany(kv => ByClass(kv.Value)),
        caption: $"Table 2: {dataset.Name}");

    private static IEnumerable<IReadOnlyList<object?>> ByClass(Manifest manifest)
    {
        IEnumerable<(string Class, ManifestRow Row)> items = manifest.Rows.SelectMany(r => ClassesOf(r).Select(c => (c, r)));
        foreach (var g in items.GroupBy(i => i.Class).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var durations = g.Select(i => i.Row.DurationSeconds).Where(d => d.HasValue).Select(d => d!.Value).ToList();
            yield return [manifest.Rows[0].Task, g.Key, g.Count(),
                durations.Count == 0 ? null : Math.Round(durations.Sum() / 60, 1),
                durations.Count == 0 ? null : Math.Round(durations.Average(), 1)];
        }
    }

    private static IEnumerable<string> ClassesOf(ManifestRow row) => row.Task switch
    {
        ManifestTask.Expertise when row.Label is int l && l < ExpertiseLevels.Names.Count => [ExpertiseLevels.Names[l]],
        ManifestTask.Difficulty => [$"Henle {row.Label}"],
        ManifestTask.Technique => row.LabelVector.Select((on, i) => (on, i)).Where(x => x.on).Select(x => Techniques.Names[x.i]),
        _ => [row.Label?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"],
    };
}
