namespace PianoJudges.Data;

/// <summary>A manifest row and the audio file found for it.</summary>
public sealed record LocatedAudio(ManifestRow Row, string Path);

/// <summary>A manifest row without audio, and why.</summary>
public sealed record MissingAudio(ManifestRow Row, string Reason);

/// <summary>The rows of a manifest split into those with audio under the root and those without.</summary>
public sealed record AudioLocation(string Root, IReadOnlyList<LocatedAudio> Found, IReadOnlyList<MissingAudio> Missing)
{
    public int MissingCount => Missing.Count;

    /// <summary>A one-line summary, e.g. "expertise: 2011 of 2030 rows have audio under /data/audio; 19 missing".</summary>
    public string Summary(string what) =>
        $"{what}: {Found.Count} of {Found.Count + Missing.Count} rows have audio under {Root}; {Missing.Count} missing";
}

/// <summary>
/// Finds the audio of manifest rows under a user-given root. A row's file is &lt;audio_id&gt;&lt;ext&gt; with ext one of
/// <see cref="Extensions"/> (in that order of preference, any letter case), either directly in the root or in the
/// subfolder named after the row's task (root/expertise, root/difficulty, root/technique, root/icpc2015), the root
/// first. Nothing outside the root is ever read: ids with path separators, '..', or characters invalid in file
/// names are refused, and only the root and its task folders are listed. (A symbolic link the user puts in the root
/// is followed: that is how a collection kept elsewhere is plugged in.) Missing audio is reported, never thrown.
/// </summary>
public sealed class AudioLocator
{
    public static readonly IReadOnlyList<string> Extensions = [".wav", ".flac", ".ogg", ".mp3", ".m4a", ".webm", ".opus"];

    private readonly Dictionary<string, Dictionary<string, string>> _index = new(StringComparer.Ordinal);

    public AudioLocator(string root)
    {
        if (string.IsNullOrWhiteSpace(root)) throw new ArgumentException("the audio root is empty", nameof(root));
        Root = Path.GetFullPath(root);
        if (!Directory.Exists(Root)) throw new DirectoryNotFoundException($"audio root '{Root}' does not exist");
    }

    public string Root { get; }

    /// <summary>The folders searched for a task, in order: the root, then root/&lt;task&gt;.</summary>
    public IEnumerable<string> Folders(string? task)
    {
        yield return Root;
        if (!string.IsNullOrEmpty(task) && IsPlainName(task)) yield return Path.Combine(Root, task);
    }

    /// <summary>The audio file of <paramref name="audioId"/>, or null when none is there.</summary>
    /// <exception cref="ArgumentException">The id is not a plain file stem.</exception>
    public string? Find(string audioId, string? task = null)
    {
        if (!IsPlainName(audioId))
            throw new ArgumentException($"audio id '{audioId}' must be a plain file stem (no path separators, '..' or invalid characters)", nameof(audioId));
        foreach (var folder in Folders(task))
            if (Index(folder).TryGetValue(audioId, out var path)) return path;
        return null;
    }

    /// <summary>Looks up every row; rows without audio (or with an unusable id) are listed in <see cref="AudioLocation.Missing"/>.</summary>
    public AudioLocation Locate(Manifest manifest)
    {
        var found = new List<LocatedAudio>();
        var missing = new List<MissingAudio>();
        foreach (var row in manifest.Rows)
        {
            if (!IsPlainName(row.AudioId))
            {
                missing.Add(new MissingAudio(row, $"audio id '{row.AudioId}' is not a plain file stem"));
                continue;
            }
            if (Find(row.AudioId, row.Task) is { } path) found.Add(new LocatedAudio(row, path));
            else missing.Add(new MissingAudio(row, $"no {string.Join("|", Extensions)} file named '{row.AudioId}' in {string.Join(" or ", Folders(row.Task))}"));
        }
        return new AudioLocation(Root, found, missing);
    }

    /// <summary>Forgets the folder listings, so files added since are seen.</summary>
    public void Refresh() => _index.Clear();

    /// <summary>True when <paramref name="name"/> names a file inside a folder and nothing else.</summary>
    public static bool IsPlainName(string name) =>
        !string.IsNullOrWhiteSpace(name) && name != "." && !name.Contains("..", StringComparison.Ordinal)
        && name.IndexOfAny(['/', '\\']) < 0 && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0 && !Path.IsPathRooted(name);

    // One listing per folder: stem -> path of the preferred extension.
    private Dictionary<string, string> Index(string folder)
    {
        if (_index.TryGetValue(folder, out var idx)) return idx;
        idx = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Directory.Exists(folder))
        {
            var rank = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(folder))
            {
                int r = IndexOfExtension(Path.GetExtension(file));
                if (r < 0) continue;
                string stem = Path.GetFileNameWithoutExtension(file);
                if (!rank.TryGetValue(stem, out int best) || r < best)
                {
                    rank[stem] = r;
                    idx[stem] = file;
                }
            }
        }
        return _index[folder] = idx;
    }

    private static int IndexOfExtension(string ext)
    {
        for (int i = 0; i < Extensions.Count; i++)
            if (string.Equals(Extensions[i], ext, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}
