namespace PianoJudges.Data;

/// <summary>Writes files so that a reader sees either the old file or the whole new one, never a part.</summary>
public static class AtomicFile
{
    /// <summary>Writes through <paramref name="write"/> into a unique temporary file beside <paramref name="path"/>, flushes it to disk, then renames it over the target.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        string tmp = Path.Combine(dir, TemporaryName(Path.GetFileName(full)));
        try
        {
            Directory.CreateDirectory(dir);
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            // The runtime names the temporary file; the user needs the file that could not be written, and why.
            if (e is (IOException or UnauthorizedAccessException) and not AtomicWriteException)
                throw new AtomicWriteException(full, e.Message.Replace($" : '{tmp}'", "", StringComparison.Ordinal).Replace(tmp, dir, StringComparison.Ordinal), e);
            throw;
        }
    }

    /// <summary>
    /// The name of a temporary file or folder that becomes <paramref name="name"/> when complete:
    /// <c>.&lt;name&gt;.&lt;pid&gt;.&lt;32 hex&gt;.tmp</c>, so that a later run can tell a dead writer's leftover from a live one's.
    /// </summary>
    public static string TemporaryName(string name) => $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";

    /// <summary>
    /// Deletes the temporary files that writers killed mid-write (SIGKILL, power loss) left in <paramref name="dir"/>:
    /// those of <see cref="Write"/>'s naming whose process is no longer running. A live writer's file is kept.
    /// </summary>
    /// <returns>How many were deleted.</returns>
    public static int RemoveStaleTemporaryFiles(string dir, bool recursive = false)
    {
        if (!Directory.Exists(dir)) return 0;
        int removed = 0;
        foreach (var file in Directory.EnumerateFiles(dir, ".*.tmp", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly))
        {
            if (!IsStale(file)) continue;
            try { File.Delete(file); removed++; } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <summary>Likewise for temporary folders (named by <see cref="TemporaryName"/>) directly in <paramref name="dir"/>, deleted with their content.</summary>
    public static int RemoveStaleTemporaryDirectories(string dir)
    {
        if (!Directory.Exists(dir)) return 0;
        int removed = 0;
        foreach (var folder in Directory.EnumerateDirectories(dir, ".*.tmp"))
        {
            if (!IsStale(folder)) continue;
            try { Directory.Delete(folder, recursive: true); removed++; } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <summary>Named .&lt;name&gt;.&lt;pid&gt;.&lt;32 hex&gt;.tmp by a process that is no longer running.</summary>
    private static bool IsStale(string path)
    {
        var parts = Path.GetFileName(path).Split('.');
        return parts.Length >= 5 && parts[^2].Length == 32 && int.TryParse(parts[^3], out int pid) && !IsRunning(pid);
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true); w.Write(text); });

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));
}

/// <summary>A write through <see cref="AtomicFile"/> failed (disk full, permissions): the old file, if any, is intact.</summary>
/// <param name="path">The file that was to be written (not its temporary file).</param>
/// <param name="reason">The system's reason, e.g. "No space left on device".</param>
public sealed class AtomicWriteException(string path, string reason, Exception inner) : IOException($"cannot write {path}: {reason}", inner)
{
    public string Path { get; } = path;
    public string Reason { get; } = reason;
}
