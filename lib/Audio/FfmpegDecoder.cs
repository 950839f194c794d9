namespace PianoJudges.Audio;

using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;

/// <summary>
/// Any container ffmpeg knows (.m4a .webm .opus .flac .aac …): ffmpeg is started with an argument list (no shell),
/// decodes the first audio stream at its native rate and channel count to 32-bit float WAV on stdout, and its
/// stderr is kept for the error message. The WAV header carries rate and channels; its sizes are placeholders on a
/// pipe, so the data are read to the end of the stream.
/// </summary>
internal static class FfmpegDecoder
{
    public static AudioClip Read(string path, AudioReadOptions options, string why)
    {
        string exe = Locate(options.FfmpegExecutable)
            ?? throw new AudioFormatException(path, $"{why}, and the external decoder '{options.FfmpegExecutable}' was not found"
                                                    + (options.FfmpegExecutable.Contains('/') ? "" : " on PATH")
                                                    + "; install ffmpeg (e.g. 'apt-get install ffmpeg') or convert the file to WAV, OGG/Vorbis or MP3");
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in new[] { "-nostdin", "-hide_banner", "-loglevel", "error", "-i", path, "-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1" })
            psi.ArgumentList.Add(a);
        if (options.MaxSeconds is { } s)
        {
            psi.ArgumentList.Add("-t");
            psi.ArgumentList.Add(s.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }
        foreach (var a in new[] { "-c:a", "pcm_f32le", "-f", "wav", "-" })
            psi.ArgumentList.Add(a);

        Process? started;
        try { started = Process.Start(psi); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new AudioFormatException(path, $"{why}, and the external decoder '{exe}' could not be started: {e.Message}", e);
        }
        using var proc = started ?? throw new AudioFormatException(path, $"could not start '{exe}'");
        var stderr = proc.StandardError.ReadToEndAsync();
        try
        {
            var stdout = proc.StandardOutput.BaseStream;
            var header = ReadHeader(stdout);
            if (header is null)
            {
                proc.WaitForExit();
                throw Failure(path, exe, proc, stderr.GetAwaiter().GetResult(), "produced no audio");
            }
            var (channels, rate) = header.Value;
            long limit = options.FrameLimit(rate);
            long durationLimit = limit >= 0 ? limit : options.DurationLimitFrames(rate) + 1;
            var sink = new ChannelSink(channels, 0, durationLimit);
            var bytes = new byte[4 * channels * 4096];
            int carry = 0;
            while (!sink.IsFull)
            {
                int n = stdout.Read(bytes, carry, bytes.Length - carry);
                if (n == 0) break;
                int have = carry + n;
                int whole = have / (4 * channels) * (4 * channels);
                sink.AppendInterleaved(MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, whole)));
                carry = have - whole;
                if (carry > 0) Buffer.BlockCopy(bytes, whole, bytes, 0, carry);
            }
            if (sink.IsFull && limit < 0)
                throw AudioReader.TooLong(path, (double)sink.Frames / rate, options, atLeast: true);
            if (sink.IsFull) { Kill(proc); }
            else proc.WaitForExit();
            if (!sink.IsFull && proc.ExitCode != 0)
                throw Failure(path, exe, proc, stderr.GetAwaiter().GetResult(), "failed");
            if (sink.Frames == 0) throw new AudioFormatException(path, "contains no audio samples");
            return sink.ToClip(rate, path);
        }
        finally
        {
            Kill(proc);
        }
    }

    /// <summary>Resolves a bare name on PATH or checks an explicit path; null when absent.</summary>
    internal static string? Locate(string executable)
    {
        if (executable.Contains(Path.DirectorySeparatorChar) || executable.Contains('/'))
            return File.Exists(executable) ? Path.GetFullPath(executable) : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static void Kill(Process proc)
    {
        try { if (!proc.HasExited) proc.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // exited meanwhile
    }

    private static AudioFormatException Failure(string path, string exe, Process proc, string stderr, string what)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string detail = lines.Length == 0 ? "no message" : string.Join(" | ", lines.TakeLast(3));
        string code = proc.HasExited ? $" (exit code {proc.ExitCode})" : "";
        return new AudioFormatException(path, $"{Path.GetFileName(exe)} {what}{code}: {detail}");
    }

    /// <summary>Reads RIFF/WAVE chunks up to the data chunk; returns (channels, rate) of 32-bit float data, or null at end of stream.</summary>
    private static (int Channels, int Rate)? ReadHeader(Stream s)
    {
        Span<byte> head = stackalloc byte[12];
        if (!TryRead(s, head)) return null;
        if (!head[..4].SequenceEqual("RIFF"u8) && !head[..4].SequenceEqual("RF64"u8) || !head[8..12].SequenceEqual("WAVE"u8))
            throw new InvalidDataException("ffmpeg's output is not a WAV stream");
        (int, int)? format = null;
        Span<byte> chunk = stackalloc byte[8];
        while (TryRead(s, chunk))
        {
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (chunk[..4].SequenceEqual("data"u8))
                return format ?? throw new InvalidDataException("ffmpeg's WAV stream has no fmt chunk before its data");
            if (size > 1 << 20) throw new InvalidDataException($"ffmpeg's WAV stream has an implausible {size}-byte header chunk");
            var body = new byte[size + (size & 1)];
            if (!TryRead(s, body)) return null;
            if (chunk[..4].SequenceEqual("fmt "u8))
            {
                ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(body);
                int channels = BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(2));
                int rate = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(4));
                int bits = BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(14));
                if (tag is not (3 or 0xFFFE) || bits != 32 || channels <= 0 || rate <= 0)
                    throw new InvalidDataException($"ffmpeg's WAV stream is not 32-bit float (tag {tag}, {bits} bits, {channels} channels, {rate} Hz)");
                format = (channels, rate);
            }
        }
        return null;
    }

    private static bool TryRead(Stream s, Span<byte> buffer)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            int n = s.Read(buffer[got..]);
            if (n == 0) return false;
            got += n;
        }
        return true;
    }
}
