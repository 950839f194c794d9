namespace PianoJudges.Audio;

/// <summary>The OGG page checksum (RFC 3533): CRC-32 with polynomial 0x04C11DB7, not reflected, initial value and final XOR 0.</summary>
public static class OggChecksum
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>The checksum of a whole page (header, segment table, body), its own CRC field (bytes 22-25) counted as zeros.</summary>
    public static uint Of(ReadOnlySpan<byte> page)
    {
        uint crc = 0;
        for (int i = 0; i < page.Length; i++)
            crc = crc << 8 ^ Table[(crc >> 24 ^ (i is >= 22 and < 26 ? 0u : page[i])) & 0xFF];
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
