namespace PianoJudges.Audio;

using System.Buffers.Binary;

/// <summary>
/// Checks an OGG file's page structure before NVorbis sees it, and reads the end position it declares. NVorbis 0.10.5
/// resynchronises on a damaged or misplaced page with code that can loop forever, and keeps sample positions in 32
/// bits (both found by fuzzing, docs/RELIABILITY.md), so NVorbis is only given whole, checksummed, contiguous pages.
/// </summary>
internal static class OggPages
{
    /// <summary>What <see cref="Scan"/> found.</summary>
    /// <param name="End">Where the last complete page ends: a cut file's partial last page, and bytes after the last
    /// page that hold no further page (a tag some writers append), are left out.</param>
    /// <param name="LastGranule">The granule position (samples) of the first logical stream's last complete page, or null.</param>
    /// <param name="LastPage">The first logical stream's last complete page, for <see cref="VorbisDecoder"/>'s end-of-stream handling; null without one.</param>
    public readonly record struct Layout(long End, long? LastGranule, StreamEnd? LastPage = null);

    /// <summary>The first logical stream's last page, and whether it also holds the first audio packet that completes
    /// on a page with a granule position (then NVorbis takes the stream's start position from that last page).</summary>
    /// <param name="Offset">Where the page starts.</param>
    /// <param name="HeaderWithoutEos">The page's first 27 bytes with the end-of-stream flag cleared and the CRC recomputed.</param>
    /// <param name="Serial">The stream's serial number.</param>
    /// <param name="NextSequence">The page sequence number after this page's.</param>
    /// <param name="FirstAudioPage">Whether no earlier page of the stream completes an audio packet.</param>
    public sealed record StreamEnd(long Offset, byte[] HeaderWithoutEos, uint Serial, uint NextSequence, bool FirstAudioPage);

    /// <summary>
    /// Walks the pages from the start: each must begin where the previous one ended, be version 0, pass its CRC and give
    /// a granule position below 2^31; a failure is an <see cref="AudioFormatException"/> naming the byte offset.
    /// </summary>
    public static Layout Scan(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        long length = f.Length, pos = 0;
        long? lastGranule = null;
        uint? serial = null;
        var header = new byte[27 + 255];
        var page = Array.Empty<byte>();
        var headers = new Dictionary<uint, HeaderPackets>(); // each logical stream's header packets (NVorbis reads every stream)
        StreamEnd? lastPage = null;
        (long Offset, int Size, bool FirstAudio) last = default;
        bool audioSeen = false;
        while (pos + 27 <= length)
        {
            f.Position = pos;
            f.ReadExactly(header, 0, 27);
            if (!header.AsSpan(0, 4).SequenceEqual("OggS"u8))
            {
                if (pos > 0 && !ContainsPage(f, pos)) break; // trailing bytes without a page: ignored
                throw Corrupt(path, $"no page header at byte {pos}, where the previous page ends");
            }
            if (header[4] != 0) throw Corrupt(path, $"the page at byte {pos} has OGG version {header[4]}, not 0");
            int segments = header[26];
            if (pos + 27 + segments > length) break; // a cut file: its partial last page is not decoded
            f.ReadExactly(header, 27, segments);
            int body = 0;
            for (int s = 0; s < segments; s++) body += header[27 + s];
            int size = 27 + segments + body;
            if (pos + size > length) break;
            if (page.Length < size) page = new byte[Math.Max(size, 2 * page.Length)];
            header.AsSpan(0, 27 + segments).CopyTo(page);
            f.ReadExactly(page, 27 + segments, body);
            if (OggChecksum.Of(page.AsSpan(0, size)) != BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(22)))
                throw Corrupt(path, $"the page at byte {pos} fails its checksum (damaged data)");
            long granule = BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(6));
            uint pageSerial = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(14));
            serial ??= pageSerial;
            if (granule != -1 && (granule < 0 || granule >= int.MaxValue))
                throw new AudioFormatException(path, $"the OGG page at byte {pos} declares sample position {granule}; "
                                                     + "OGG/Vorbis streams of 2^31 samples or more are not supported");
            if (pageSerial == serial && granule >= 0) lastGranule = granule;
            if (!headers.TryGetValue(pageSerial, out var packets)) headers[pageSerial] = packets = new HeaderPackets();
            long completedBefore = packets.Completed;
            packets.Add(path, page.AsSpan(27, segments), page.AsSpan(27 + segments, body));
            if (pageSerial == serial)
            {
                // NVorbis gives a page's granule position to the last packet completing on it (headers are the first three)
                bool completesAudio = packets.Completed > 3 && packets.Completed > completedBefore && granule != -1;
                last = (pos, size, completesAudio && !audioSeen);
                audioSeen |= completesAudio;
            }
            pos += size;
        }
        if (last.Size > 0)
        {
            f.Position = last.Offset;
            f.ReadExactly(page, 0, last.Size);
            page[5] &= unchecked((byte)~EndOfStreamFlag);
            BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(22), OggChecksum.Of(page.AsSpan(0, last.Size)));
            lastPage = new StreamEnd(last.Offset, page[..27], serial!.Value, BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(18)) + 1, last.FirstAudio);
        }
        return new Layout(pos, lastGranule, lastPage);
    }

    private const byte EndOfStreamFlag = 4;

    /// <summary>A whole page of one packet (under 255 bytes) with its CRC.</summary>
    public static byte[] Page(uint serial, uint sequence, long granule, byte flags, ReadOnlySpan<byte> packet)
    {
        if (packet.Length >= 255) throw new ArgumentOutOfRangeException(nameof(packet), "one lacing value only");
        var page = new byte[28 + packet.Length];
        "OggS"u8.CopyTo(page);
        page[5] = flags;
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(6), granule);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(14), serial);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(18), sequence);
        page[26] = 1;
        page[27] = (byte)packet.Length;
        packet.CopyTo(page.AsSpan(28));
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(22), OggChecksum.Of(page));
        return page;
    }

    private static AudioFormatException Corrupt(string path, string problem) => new(path, $"corrupt OGG/Vorbis data: {problem}");

    /// <summary>Whether "OggS" occurs at or after <paramref name="from"/>.</summary>
    private static bool ContainsPage(FileStream f, long from)
    {
        var buf = new byte[1 << 16];
        for (long at = from; at < f.Length; at += buf.Length - 3)
        {
            f.Position = at;
            int n = f.ReadAtLeast(buf, buf.Length, throwOnEndOfStream: false);
            if (buf.AsSpan(0, n).IndexOf("OggS"u8) >= 0) return true;
            if (n < buf.Length) break;
        }
        return false;
    }

    /// <summary>Assembles a logical stream's first three non-empty packets; the second of a Vorbis stream is its comment
    /// header, the third its setup header.</summary>
    private sealed class HeaderPackets
    {
        private readonly MemoryStream _current = new();
        private long _pending;
        private int _packets;
        private bool _vorbis;

        /// <summary>How many non-empty packets have completed so far.</summary>
        public long Completed { get; private set; }

        public void Add(string path, ReadOnlySpan<byte> lacing, ReadOnlySpan<byte> body)
        {
            int at = 0;
            foreach (byte l in lacing)
            {
                _pending += l;
                if (_packets < 3) _current.Write(body.Slice(at, l));
                at += l;
                if (l == 255 || _pending == 0) continue; // NVorbis skips empty packets too
                _pending = 0;
                Completed++;
                if (_packets >= 3) continue;
                var packet = _current.GetBuffer().AsSpan(0, (int)_current.Length);
                if (++_packets == 1) _vorbis = packet.Length >= 7 && packet[0] == 1 && packet[1..7].SequenceEqual("vorbis"u8);
                else if (_vorbis && _packets == 2) CheckComments(path, packet);
                else if (_vorbis) VorbisSetup.CheckCodebooks(path, packet);
                _current.SetLength(0);
            }
        }
    }

    /// <summary>
    /// Checks the sizes inside a Vorbis comment header against the packet's length. NVorbis 0.10.5 allocates the vendor
    /// string, the comment array and each comment at the sizes the file states, so a forged 32-bit count asks for
    /// gigabytes (found by fuzzing, docs/RELIABILITY.md).
    /// </summary>
    private static void CheckComments(string path, ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 7 || packet[0] != 3 || !packet[1..7].SequenceEqual("vorbis"u8)) return; // NVorbis reports it
        long pos = 7, length = packet.Length;
        uint Next(ReadOnlySpan<byte> p, string what)
        {
            if (pos + 4 > length)
                throw new AudioFormatException(path, $"corrupt OGG/Vorbis comment header: it ends ({length} bytes) before the {what}");
            uint v = BinaryPrimitives.ReadUInt32LittleEndian(p[(int)pos..]);
            pos += 4;
            return v;
        }
        void Skip(uint bytes, string what)
        {
            if (bytes > length - pos)
                throw new AudioFormatException(path, $"corrupt OGG/Vorbis comment header: the {what} is {bytes} bytes long, but only {length - pos} bytes of the {length}-byte header follow");
            pos += bytes;
        }
        Skip(Next(packet, "vendor string's length"), "vendor string");
        uint count = Next(packet, "number of comments");
        if (count > (length - pos) / 4)
            throw new AudioFormatException(path, $"corrupt OGG/Vorbis comment header: it declares {count} comments in {length - pos} bytes");
        for (uint i = 0; i < count; i++) Skip(Next(packet, $"length of comment {i + 1}"), $"comment {i + 1}");
    }
}
