namespace PianoJudges.Audio;

using System.Buffers.Binary;

/// <summary>
/// Reads the end position an OGG file declares: the granule position of its last complete page of the first
/// logical stream. NVorbis stops quietly at a damaged page; comparing with this catches it.
/// </summary>
internal static class OggPages
{
    /// <summary>The last complete page's granule position (samples), or null when none can be found.</summary>
    public static long? LastGranule(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> first = stackalloc byte[27];
        if (f.ReadAtLeast(first, 27, throwOnEndOfStream: false) < 27) return null;
        uint serial = BinaryPrimitives.ReadUInt32LittleEndian(first[14..]);
        int tail = (int)Math.Min(f.Length, 1 << 18);
        var buf = new byte[tail];
        f.Position = f.Length - tail;
        f.ReadExactly(buf);
        for (int i = buf.AsSpan().LastIndexOf("OggS"u8); i >= 0; i = i == 0 ? -1 : buf.AsSpan(0, i).LastIndexOf("OggS"u8))
        {
            if (i + 27 > buf.Length || buf[i + 4] != 0) continue;
            int segments = buf[i + 26];
            if (i + 27 + segments > buf.Length) continue;
            int body = 0;
            for (int s = 0; s < segments; s++) body += buf[i + 27 + s];
            bool complete = i + 27 + segments + body <= buf.Length;
            long granule = BinaryPrimitives.ReadInt64LittleEndian(buf.AsSpan(i + 6));
            if (complete && granule >= 0 && BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(i + 14)) == serial) return granule;
        }
        return null;
    }
}
