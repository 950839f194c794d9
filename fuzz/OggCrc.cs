namespace PianoJudges.Fuzz;

using System.Buffers.Binary;

/// <summary>
/// Rewrites the checksum of every complete OGG page of an input. NVorbis skips a page whose CRC does not match, so
/// without this nearly every mutation the fuzzer makes inside a page would only test the CRC check; with it, the
/// mutated headers and packets reach the Vorbis decoder (as a file damaged before it was muxed would).
/// </summary>
internal static class OggCrc
{
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
                    BinaryPrimitives.WriteUInt32LittleEndian(page[22..], PianoJudges.Audio.OggChecksum.Of(page));
                }
            }
            int next = b.AsSpan(i + 4).IndexOf("OggS"u8);
            i = next < 0 ? -1 : i + 4 + next;
        }
        return b;
    }
}
