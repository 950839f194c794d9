namespace PianoJudges.Audio;

/// <summary>MPEG-1/2 layer I/II/III through NLayer; NLayer's frame scan gives the length up front.</summary>
internal static class Mp3Decoder
{
    private const int FrameSamples = 1152;
    private const double MaxPlausibleBitrate = 1_000_000;

    /// <summary>Bytes of a leading ID3v2 tag (cover art can be large), 0 without one.</summary>
    private static long Id3v2Size(string path)
    {
        Span<byte> h = stackalloc byte[10];
        using var f = File.OpenRead(path);
        if (f.ReadAtLeast(h, 10, throwOnEndOfStream: false) < 10 || !h[..3].SequenceEqual("ID3"u8)) return 0;
        long size = (h[6] & 0x7F) << 21 | (h[7] & 0x7F) << 14 | (h[8] & 0x7F) << 7 | (h[9] & 0x7F);
        return 10 + size + ((h[5] & 0x10) != 0 ? 10 : 0);
    }

    /// <summary>
    /// Refuses a VBRI header (Fraunhofer's VBR table, 36 bytes into the first frame) whose table does not fit in the file:
    /// NLayer 3.0.1 allocates and reads the table at the size the header states (entries × entry size, up to 4 GB), which
    /// ran out of memory or spun for minutes on files of 100 bytes (found by fuzzing, docs/RELIABILITY.md).
    /// </summary>
    private static void CheckVbriHeader(string path)
    {
        // from the file's start: NLayer scans from there when the ID3 tag is not one it accepts (fuzzing)
        long tag = Id3v2Size(path);
        using var f = File.OpenRead(path);
        var head = new byte[(int)Math.Min(f.Length, (tag < f.Length ? tag : 0) + (1 << 16))];
        f.ReadExactly(head);
        for (int p = head.AsSpan().IndexOf("VBRI"u8); p >= 0; p = NextVbri(head, p + 1))
        {
            if (p < 36 || head[p - 36] != 0xFF || (head[p - 35] & 0xE0) != 0xE0 || p + 26 > head.Length) continue;
            long entries = head[p + 18] << 8 | head[p + 19], entrySize = head[p + 22] << 8 | head[p + 23];
            long after = f.Length - (p + 26);
            if (entries * entrySize > after)
                throw new AudioFormatException(path, $"corrupt MP3: its VBRI header declares a table of {entries} × {entrySize} bytes, but only {after} bytes follow it");
        }
    }

    private static int NextVbri(byte[] head, int from)
    {
        int i = head.AsSpan(from).IndexOf("VBRI"u8);
        return i < 0 ? -1 : from + i;
    }

    public static AudioClip Read(string path, AudioReadOptions options)
    {
        CheckVbriHeader(path);
        using var mpeg = new NLayer.MpegFile(path);
        int channels = mpeg.Channels, rate = mpeg.SampleRate;
        if (channels <= 0 || rate <= 0) throw new AudioFormatException(path, $"invalid MPEG audio stream ({channels} channels at {rate} Hz)");
        long total = Math.Max(0, mpeg.Length / (sizeof(float) * (long)channels));
        var sink = ChannelSink.ReadInterleaved(path, channels, rate, total, options, FrameSamples * 4, (b, o, c) => mpeg.ReadSamples(b, o, c));
        long limit = options.FrameLimit(rate);
        long wanted = limit >= 0 ? Math.Min(limit, total) : total;
        if (sink.Frames + 2 * FrameSamples < wanted) // two frames' slack: some encoders count their info frame
            throw new AudioFormatException(path, $"truncated or corrupt MP3: decoded {(double)sink.Frames / rate:0.###} s of the {(double)total / rate:0.###} s its headers declare");
        // random bytes can hold a few false frame headers: real MPEG audio never needs more than 640 kbit/s
        double seconds = (double)sink.Frames / rate;
        long audioBytes = new FileInfo(path).Length - Id3v2Size(path);
        if (limit < 0 && audioBytes * 8 > MaxPlausibleBitrate * Math.Max(seconds, 1e-3))
            throw new AudioFormatException(path, $"not an MP3 file (or mostly corrupt): only {seconds:0.###} s of MPEG audio in {audioBytes} bytes");
        return sink.ToClip(rate, path);
    }
}
