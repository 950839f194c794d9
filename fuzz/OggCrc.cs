namespace PianoJudges.Fuzz;

using System.Buffers.Binary;

/// <summary>
/// Rewrites the checksum of every complete OGG page of an input. NVorbis skips a page whose CRC does not match, so
/// without this nearly every mutation the fuzzer makes inside a page would only test the CRC check; with it, the
/// mutated headers and packets reach the Vorbis decoder (as a file damaged before it was muxed would).
/// </summary>
internal static class OggCrc
{
    private static readonly uint[] Table = BuildTable();

    public static byte[] FixPages(byte[] input)
    {
        var b = (byte[])input.Clone();
        for (int i = b.AsSpan().IndexOf("OggS"u8); i >= 0 && i + 27 <= b.Length;)
        {
            int segments = b[i + 26], length = 27 + segments;
            if (i + length <= b.Length)
            {
                for (int s = 0; s < segments; s++) length += b[i + 27 + s];
                if (i + length <= b.Length)
                {
                    var page = b.AsSpan(i, length);
                    BinaryPrimitives.WriteUInt32LittleEndian(page[22..], 0);
                    BinaryPrimitives.WriteUInt32LittleEndian(page[22..], Crc(page));
                }
            }
            int next = b.AsSpan(i + 4).IndexOf("OggS"u8);
            i = next < 0 ? -1 : i + 4 + next;
        }
        return b;
    }

    /// <summary>The OGG checksum: CRC-32 with polynomial 0x04C11DB7, not reflected, initial value and final XOR 0.</summary>
    private static uint Crc(ReadOnlySpan<byte> data)
    {
        uint crc = 0;
        foreach (byte x in data) crc = crc << 8 ^ Table[(crc >> 24 ^ x) & 0xFF];
        return crc;
    }

    private static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint r = i << 24;
            for (int k = 0; k < 8; k++) r = (r & 0x80000000) != 0 ? r << 1 ^ 0x04C11DB7 : r << 1;
            t[i] = r;
        }
        return t;
    }
}
