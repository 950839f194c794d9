namespace PianoJudges.Tests.Audio;

using System.Buffers.Binary;
using PianoJudges.Audio;
using PianoJudges.Tests.Support;

/// <summary>
/// The trim of an OGG/Vorbis stream to its last granule position, which our reader does instead of NVorbis (NVorbis's own
/// end trim loops forever on packets that decode to more samples than that position allows; docs/RELIABILITY.md,
/// "Fuzzing"). The expected lengths come from the files' pages, read here independently: by the Vorbis I specification
/// (A.2) the last page's granule position is the stream's end, in samples, for a stream that starts at 0.
/// </summary>
public class VorbisEndTrimTests
{
    [Theory]
    [InlineData("C4v1.ogg")]
    [InlineData("F#7v1.ogg")]
    [InlineData("A0v1.ogg")]
    public void RealFilesDecodeToTheirLastGranulePosition(string name)
    {
        var path = SampleFiles.Ogg(name);
        var pages = Pages(File.ReadAllBytes(path));
        Assert.Equal(Granule(pages[^1]), AudioReader.Read(path).Length);
    }

    /// <summary>
    /// A stream cut after its first audio page (so NVorbis first learns a position on the stream's last page), that page's
    /// granule position lowered by a short block's worth of samples and by more than its last packet holds (the case that
    /// made NVorbis loop): the decoded length is still that position.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(5000)]
    public void AStreamEndingOnItsFirstAudioPageEndsAtThatPagesGranulePosition(int lowerBy)
    {
        var pages = Pages(File.ReadAllBytes(SampleFiles.Ogg("C4v1.ogg")));
        int first = pages.FindIndex(p => Granule(p) > 0);
        var kept = pages.Take(first + 1).Select(p => (byte[])p.Clone()).ToList();
        long end = Granule(kept[^1]) - lowerBy;
        BinaryPrimitives.WriteInt64LittleEndian(kept[^1].AsSpan(6), end);
        kept[^1][5] |= 4; // end of stream
        SetCrc(kept[^1]);
        using var dir = new TempDir();
        var path = dir.File("cut.ogg");
        File.WriteAllBytes(path, kept.SelectMany(p => p).ToArray());

        var clip = AudioReader.Read(path);

        Assert.True(end > 10_000, "the first audio page holds several packets");
        Assert.Equal(end, clip.Length);
    }

    private static long Granule(byte[] page) => BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(6));

    private static List<byte[]> Pages(byte[] file)
    {
        var pages = new List<byte[]>();
        for (int at = 0; at + 27 <= file.Length;)
        {
            Assert.True(file.AsSpan(at, 4).SequenceEqual("OggS"u8), $"a page at byte {at}");
            int segments = file[at + 26], size = 27 + segments;
            for (int s = 0; s < segments; s++) size += file[at + 27 + s];
            pages.Add(file[at..(at + size)]);
            at += size;
        }
        return pages;
    }

    /// <summary>OGG's CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0, over the page with its CRC field zeroed.</summary>
    private static void SetCrc(byte[] page)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(22), 0);
        uint crc = 0;
        foreach (byte b in page)
        {
            crc ^= (uint)b << 24;
            for (int k = 0; k < 8; k++) crc = (crc & 0x80000000) != 0 ? crc << 1 ^ 0x04C11DB7 : crc << 1;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(22), crc);
    }
}
