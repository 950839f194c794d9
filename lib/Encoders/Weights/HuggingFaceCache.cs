namespace PianoJudges.Encoders.Weights;

using System.Text.RegularExpressions;

/// <summary>
/// The Hugging Face hub cache layout, so that weights users already downloaded are found:
/// &lt;cache&gt;/models--ORG--NAME/{refs/&lt;revision&gt;, snapshots/&lt;commit&gt;/&lt;file&gt;, blobs/&lt;etag&gt;}.
/// The cache folder is HF_HUB_CACHE (or the older HUGGINGFACE_HUB_CACHE), else HF_HOME/hub,
/// else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub.
/// </summary>
public static class HuggingFaceCache
{
    private static readonly Regex CommitHash = new("^[0-9a-f]{40}$", RegexOptions.CultureInvariant);

    /// <summary>The user's hub cache folder (it may not exist).</summary>
    public static string DefaultCacheDirectory()
    {
        foreach (var v in new[] { "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE" })
            if (Environment.GetEnvironmentVariable(v) is { Length: > 0 } dir) return Path.GetFullPath(Expand(dir));
        if (Environment.GetEnvironmentVariable("HF_HOME") is { Length: > 0 } home) return Path.GetFullPath(Path.Combine(Expand(home), "hub"));
        string cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.GetFullPath(Path.Combine(cache, "huggingface", "hub"));
    }

    /// <summary>models--ORG--NAME for a model id "ORG/NAME".</summary>
    public static string RepoFolderName(string modelId)
    {
        ValidateModelId(modelId);
        return "models--" + modelId.Replace("/", "--", StringComparison.Ordinal);
    }

    public static void ValidateModelId(string modelId)
    {
        if (!Regex.IsMatch(modelId, @"^[A-Za-z0-9][\w.\-]*(/[A-Za-z0-9][\w.\-]*)?$", RegexOptions.CultureInvariant) || modelId.Contains(".."))
            throw new ArgumentException($"'{modelId}' is not a model id; expected ORG/NAME, e.g. m-a-p/MERT-v1-330M");
    }

    public static bool IsCommitHash(string revision) => CommitHash.IsMatch(revision);

    /// <summary>The snapshot folder of <paramref name="modelId"/> at <paramref name="revision"/> (a branch name with a refs/ file, or a commit hash), or null.</summary>
    public static string? FindSnapshot(string modelId, string revision = "main", string? cacheDirectory = null)
    {
        string repo = Path.Combine(cacheDirectory ?? DefaultCacheDirectory(), RepoFolderName(modelId));
        string snapshots = Path.Combine(repo, "snapshots");
        if (!Directory.Exists(snapshots)) return null;
        string? commit = IsCommitHash(revision) ? revision : null;
        string refFile = Path.Combine(repo, "refs", revision);
        if (commit is null && File.Exists(refFile)) commit = File.ReadAllText(refFile).Trim();
        if (commit is not null)
        {
            string dir = Path.Combine(snapshots, commit);
            return Directory.Exists(dir) ? dir : null;
        }
        return null;
    }

    /// <summary>
    /// The first of <paramref name="fileNames"/> present in the model's snapshot at <paramref name="revision"/>;
    /// when the revision has no ref file, the newest snapshot that has one of the files. Null when none.
    /// </summary>
    public static string? FindFile(string modelId, IReadOnlyList<string> fileNames, string revision = "main", string? cacheDirectory = null)
    {
        string cache = cacheDirectory ?? DefaultCacheDirectory();
        if (FindSnapshot(modelId, revision, cache) is { } snap)
            return fileNames.Select(f => Path.Combine(snap, f)).FirstOrDefault(File.Exists);
        if (IsCommitHash(revision)) return null;
        string snapshots = Path.Combine(cache, RepoFolderName(modelId), "snapshots");
        if (!Directory.Exists(snapshots)) return null;
        return new DirectoryInfo(snapshots).GetDirectories()
            .OrderByDescending(d => d.LastWriteTimeUtc)
            .SelectMany(d => fileNames.Select(f => Path.Combine(d.FullName, f)))
            .FirstOrDefault(File.Exists);
    }

    private static string Expand(string p) =>
        p.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), p[2..]) : p;
}
