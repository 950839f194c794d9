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

    /// <summary>
    /// Checks the sizes inside the Vorbis comment header (the stream's second packet) against the packet's length.
    /// NVorbis 0.10.5 allocates the vendor string, the comment array and each comment at the sizes the file states,
    /// so a forged 32-bit count asks for gigabytes (found by fuzzing, docs/RELIABILITY.md). Pages that cannot be
    /// followed from the start of the file are left to NVorbis to report.
    /// </summary>
    public static void CheckVorbisComments(string path)
    {
        var packet = SecondPacket(path);
        if (packet is null || packet.Length < 7 || packet[0] != 3 || !packet.AsSpan(1, 6).SequenceEqual("vorbis"u8)) return;
        long pos = 7;
        uint Next(string what)
        {
            if (pos + 4 > packet.Length)
                throw new AudioFormatException(path, $"corrupt OGG/Vorbis comment header: it ends ({packet.Length} bytes) before the {what}");
            uint v = BinaryPrimitives.ReadUInt32LittleEndian(packet.AsSpan((int)pos));
            pos += 4;
            return v;
        }
        void Skip(uint length, string what)
        {
            if (length > packet.Length - pos)
                throw new AudioFormatException(path, $"corrupt OGG/Vorbis comment header: the {what} is {length} bytes long, but only {packet.Length - pos} bytes of the {packet.Length}-byte header follow");
            pos += length;
        }
        Skip(Next("vendor string's length"), "vendor string");
        uint count = Next("number of comments");
        if (count > (packet.Length - pos) / 4)
            throw new AudioFormatException(path, $"corrupt OGG/Vorbis comment header: it declares {count} comments in {packet.Length - pos} bytes");
        for (uint i = 0; i < count; i++) Skip(Next($"length of comment {i + 1}"), $"comment {i + 1}");
    }

    /// <summary>The second packet of the first logical stream, read page by page from the start; null when the pages cannot be followed.</summary>
    private static byte[]? SecondPacket(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> header = stackalloc byte[27];
        Span<byte> lacing = stackalloc byte[255];
        uint? serial = null;
        int packets = 0;
        using var current = new MemoryStream();
        while (f.ReadAtLeast(header, 27, throwOnEndOfStream: false) == 27 && header[..4].SequenceEqual("OggS"u8))
        {
            int segments = header[26];
            if (f.ReadAtLeast(lacing[..segments], segments, throwOnEndOfStream: false) < segments) return null;
            uint pageSerial = BinaryPrimitives.ReadUInt32LittleEndian(header[14..]);
            serial ??= pageSerial;
            int body = 0;
            for (int s = 0; s < segments; s++) body += lacing[s];
            if (pageSerial != serial)
            {
                f.Seek(body, SeekOrigin.Current);
                continue;
            }
            var data = new byte[body];
            if (f.ReadAtLeast(data, body, throwOnEndOfStream: false) < body) return null;
            int at = 0;
            for (int s = 0; s < segments; s++)
            {
                current.Write(data, at, lacing[s]);
                at += lacing[s];
                if (lacing[s] == 255) continue;
                if (++packets == 2) return current.ToArray();
                current.SetLength(0);
            }
        }
        return null;
    }
}
