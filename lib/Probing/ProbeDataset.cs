namespace PianoJudges.Probing;

using PianoJudges.Data;

/// <summary>
/// The data a probing run reads: one manifest per task (expertise, difficulty, technique) and the folder
/// holding their audio. PLD-synth and the real recordings look the same from here.
/// </summary>
/// <param name="Spec">What <see cref="Parse"/> rebuilds it from ("pld-synth:SIZE" or "real"); null for a dataset built in code.</param>
public sealed record ProbeDataset(string Name, IReadOnlyDictionary<string, Manifest> Manifests, string AudioRoot, string? Spec = null)
{
    private static readonly (string Task, string File)[] Files =
        [(ManifestTask.Expertise, "expertise.csv"), (ManifestTask.Difficulty, "difficulty.csv"), (ManifestTask.Technique, "techniques.csv")];

    /// <summary>A generated PLD-synth dataset of one size (run `pianojudges synth --size SIZE` first).</summary>
    public static ProbeDataset PldSynth(DataPaths paths, string size)
    {
        string root = paths.PldSynth(size);
        var manifests = new Dictionary<string, Manifest>(StringComparer.Ordinal);
        foreach (var (task, file) in Files)
        {
            string path = Path.Combine(root, "manifests", file);
            if (!File.Exists(path))
                throw new FileNotFoundException($"PLD-synth '{size}' has no {file} in {Path.Combine(root, "manifests")}: run 'pianojudges synth --size {size}' first", path);
            manifests[task] = ManifestIO.Read(path);
        }
        return new ProbeDataset($"pld-synth-{size}", manifests, Path.Combine(root, "audio"), $"pld-synth:{size}");
    }

    /// <summary>The paper's real recordings: the embedded manifests, audio under <paramref name="audioRoot"/>.</summary>
    public static ProbeDataset Real(string audioRoot) => new("pld",
        new Dictionary<string, Manifest>(StringComparer.Ordinal)
        {
            [ManifestTask.Expertise] = ManifestCatalog.Load("expertise"),
            [ManifestTask.Difficulty] = ManifestCatalog.Load("difficulty"),
            [ManifestTask.Technique] = ManifestCatalog.Load("techniques"),
        }, audioRoot, "real");

    /// <summary>"pld-synth:SIZE" (the embedded default), or "real" with the folder of the real recordings.</summary>
    public static ProbeDataset Parse(DataPaths paths, string spec, string? audioRoot)
    {
        if (spec.StartsWith("pld-synth:", StringComparison.Ordinal)) return PldSynth(paths, spec["pld-synth:".Length..]);
        if (spec == "real")
            return Real(audioRoot ?? throw new ArgumentException("dataset 'real' needs --audio-root (the folder holding the recordings)"));
        throw new ArgumentException($"dataset '{spec}' must be pld-synth:SIZE (tiny, small, paper) or real");
    }

    public Manifest ManifestFor(string probeTask)
    {
        string task = ProbeTaskNames.ManifestTaskOf(probeTask);
        return Manifests.TryGetValue(task, out var m) ? m : throw new ArgumentException($"dataset {Name} has no {task} manifest");
    }

    /// <summary>The dataset restricted to rows whose audio the source holds (a row without an embedding is reported, not trained on).</summary>
    public (Manifest Manifest, int Dropped) Available(string probeTask, Func<string, bool> hasEmbedding)
    {
        var manifest = ManifestFor(probeTask);
        var kept = manifest.Where(r => hasEmbedding(r.AudioId));
        return (kept, manifest.Rows.Count - kept.Rows.Count);
    }
}
