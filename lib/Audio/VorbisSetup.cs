namespace PianoJudges.Audio;

/// <summary>
/// Checks the codebooks of a Vorbis setup header (Vorbis I specification, section 3.2.1) before NVorbis sees them.
/// NVorbis 0.10.5 allocates a codebook's tables at the sizes it declares (an <c>entries × dimensions</c> float lookup table,
/// up to 2^40 from 40 header bits) and reads past the packet's end as zeros, so a forged codebook asks for terabytes or,
/// length-ordered, counts entries forever (found by fuzzing, docs/RELIABILITY.md). The bounds are libvorbis's own
/// (<c>vorbis_staticbook_unpack</c>): <c>ilog(dimensions) + ilog(entries) ≤ 24</c>, so a table holds fewer than 2^24
/// values (64 MB of floats; real encoders' books hold a few thousand), and every codeword length and multiplicand must lie
/// inside the packet. Only the codebooks are read; the floors, residues, mappings and modes after them are left to NVorbis.
/// </summary>
internal static class VorbisSetup
{
    /// <summary>libvorbis's limit on <c>ilog(dimensions) + ilog(entries)</c>.</summary>
    private const int MaxTableLog2 = 24;

    /// <summary>Throws <see cref="AudioFormatException"/> for a codebook that cannot be backed by the packet or exceeds the bound;
    /// a header NVorbis itself rejects (a wrong signature or sync pattern, a lookup type above 2) is left to NVorbis's error.</summary>
    public static void CheckCodebooks(string path, ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 7 || packet[0] != 5 || !packet[1..7].SequenceEqual("vorbis"u8)) return;
        var bits = new BitReader(packet[7..]);
        int count = (int)bits.Read(8) + 1;
        for (int book = 0; book < count; book++)
        {
            AudioFormatException Bad(string problem) =>
                new(path, $"corrupt OGG/Vorbis setup header: codebook {book} of {count} {problem}");
            if (!bits.Has(24 + 16 + 24)) throw Bad("is cut off by the end of the header");
            if (bits.Read(24) != 0x564342) return; // NVorbis: "Book header had invalid signature!"
            long dimensions = bits.Read(16), entries = bits.Read(24);
            if (dimensions == 0) throw Bad("has 0 dimensions");
            if (ILog(dimensions) + ILog(entries) > MaxTableLog2)
                throw Bad($"declares {entries} entries of {dimensions} dimensions, beyond the 2^{MaxTableLog2} values a Vorbis decoder accepts");
            if (!bits.Has(1)) throw Bad("is cut off by the end of the header");
            if (bits.Read(1) == 1)
            {
                // length-ordered: runs of entries per codeword length
                if (!bits.Has(5)) throw Bad("is cut off by the end of the header");
                long length = bits.Read(5) + 1;
                for (long i = 0; i < entries; length++)
                {
                    int width = ILog(entries - i);
                    if (length > 32) throw Bad("has codewords longer than 32 bits");
                    if (!bits.Has(width)) throw Bad($"is cut off by the end of the header after {i} of its {entries} codeword lengths");
                    long run = bits.Read(width);
                    if (run > entries - i) throw Bad($"lists {run} codewords of length {length} where {entries - i} entries remain");
                    i += run;
                }
            }
            else
            {
                bool sparse = bits.Read(1) == 1;
                if (!bits.Has(entries * (sparse ? 1 : 5)))
                    throw Bad($"declares {entries} entries, more than the rest of the header can list");
                for (long i = 0; i < entries; i++)
                {
                    if (sparse && bits.Read(1) == 0) continue;
                    if (!bits.Has(5)) throw Bad($"is cut off by the end of the header after {i} of its {entries} codeword lengths");
                    bits.Skip(5);
                }
            }
            if (!bits.Has(4)) throw Bad("is cut off by the end of the header");
            long lookup = bits.Read(4);
            if (lookup == 0) continue;
            if (lookup > 2) return; // NVorbis reports it
            if (!bits.Has(32 + 32 + 4 + 1)) throw Bad("is cut off by the end of the header");
            bits.Skip(64);
            long valueBits = bits.Read(4) + 1;
            bits.Skip(1);
            long values = lookup == 1 ? Lookup1Values(entries, dimensions) : entries * dimensions;
            if (!bits.Has(values * valueBits))
                throw Bad($"declares {values} lookup values of {valueBits} bits, more than the rest of the header holds");
            bits.Skip(values * valueBits);
        }
    }

    /// <summary>The spec's <c>lookup1_values</c>, computed as NVorbis computes it so the next codebook is read where NVorbis reads it.</summary>
    private static long Lookup1Values(long entries, long dimensions)
    {
        long r = (long)Math.Floor(Math.Exp(Math.Log(entries) / dimensions));
        if (Math.Floor(Math.Pow(r + 1, dimensions)) <= entries) r++;
        return r;
    }

    private static int ILog(long x) => x <= 0 ? 0 : 64 - (int)long.LeadingZeroCount(x);

    /// <summary>Vorbis packs bits least significant first.</summary>
    private ref struct BitReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private long _pos;

        public readonly bool Has(long bits) => bits <= 8L * _data.Length - _pos;

        public void Skip(long bits) => _pos += bits;

        /// <summary>Up to 32 bits; bits past the end read as zeros (callers check <see cref="Has"/> where it matters).</summary>
        public long Read(int count)
        {
            long v = 0;
            for (int i = 0; i < count; i++, _pos++)
            {
                long at = _pos >> 3;
                if (at < _data.Length && (_data[(int)at] >> (int)(_pos & 7) & 1) != 0) v |= 1L << i;
            }
            return v;
        }
    }
}
