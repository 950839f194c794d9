namespace PianoJudges.Encoders.Weights;

/// <summary>
/// Where a pretrained model's weights come from: an explicit file or folder (the CLI's --weights),
/// else the user's Hugging Face cache, else the project's own weights folder (same layout).
/// </summary>
/// <param name="ModelId">Hub model id, e.g. m-a-p/MERT-v1-330M.</param>
/// <param name="FileNames">Checkpoint file names in order of preference, e.g. model.safetensors, pytorch_model.bin.</param>
/// <param name="Revision">Branch or commit.</param>
public sealed record WeightsLocator(string ModelId, IReadOnlyList<string> FileNames, string Revision = "main")
{
    /// <summary>
    /// Finds the checkpoint file.
    /// </summary>
    /// <param name="overridePath">A checkpoint file; or a folder holding one of <see cref="FileNames"/> (a snapshot folder) or a hub cache (models--ORG--NAME below it).</param>
    /// <param name="projectWeightsDirectory">The project's weights folder (DataPaths.Weights), searched after the user's Hugging Face cache.</param>
    /// <exception cref="FileNotFoundException">Says every place that was searched.</exception>
    public string Resolve(string? overridePath = null, string? projectWeightsDirectory = null)
    {
        HuggingFaceCache.ValidateModelId(ModelId);
        var searched = new List<string>();
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            string full = Path.GetFullPath(overridePath);
            if (File.Exists(full)) return full;
            if (!Directory.Exists(full))
                throw new FileNotFoundException($"--weights {overridePath}: no such file or folder", full);
            if (FileNames.Select(f => Path.Combine(full, f)).FirstOrDefault(File.Exists) is { } direct) return direct;
            if (HuggingFaceCache.FindFile(ModelId, FileNames, Revision, full) is { } cached) return cached;
            throw new FileNotFoundException(
                $"--weights {overridePath}: the folder holds none of {string.Join(", ", FileNames)}, and no {HuggingFaceCache.RepoFolderName(ModelId)} snapshot below it does", full);
        }
        foreach (var cache in new[] { HuggingFaceCache.DefaultCacheDirectory(), projectWeightsDirectory })
        {
            if (cache is null) continue;
            searched.Add(Path.Combine(cache, HuggingFaceCache.RepoFolderName(ModelId)));
            if (HuggingFaceCache.FindFile(ModelId, FileNames, Revision, cache) is { } found) return found;
        }
        throw new FileNotFoundException(
            $"No weights for {ModelId} ({string.Join(" or ", FileNames)}, revision {Revision}). Searched: {string.Join("; ", searched)}. " +
            $"Download them into one of these folders (pianojudges weights download {ModelId}, or the Hugging Face tools), or pass --weights FILE.");
    }
}
