namespace PianoJudges.Audio;

/// <summary>
/// OGG/Vorbis through NVorbis, given only the file's whole, checked pages (<see cref="OggPages.Scan"/>); the length from
/// the last page's granule position pre-sizes the arrays and catches streams that stop early.
/// </summary>
internal static class VorbisDecoder
{
    /// <summary>Slack for the stream's start offset and the last packet's trim (one long Vorbis block).</summary>
    private const int ToleranceFrames = 8192;

    public static AudioClip Read(string path, AudioReadOptions options)
    {
        var layout = OggPages.Scan(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var vorbis = new NVorbis.VorbisReader(new Prefix(file, layout.End), closeOnDispose: true);
        int channels = vorbis.Channels, rate = vorbis.SampleRate;
        if (channels <= 0 || rate <= 0) throw new AudioFormatException(path, $"invalid Vorbis stream ({channels} channels at {rate} Hz)");
        long total = Math.Max(0, vorbis.TotalSamples);
        long declaredEnd = layout.LastGranule ?? total;
        var sink = ChannelSink.ReadInterleaved(path, channels, rate, total, options, 4096, (b, o, c) => vorbis.ReadSamples(b, o, c));
        long limit = options.FrameLimit(rate);
        // a damaged page ends NVorbis's stream early without an error; the last page says how long it should be
        long wanted = limit >= 0 ? Math.Min(limit, declaredEnd) : declaredEnd;
        if (sink.Frames + ToleranceFrames < wanted)
            throw new AudioFormatException(path, $"corrupt OGG/Vorbis data: decoding stopped at {(double)sink.Frames / rate:0.###} s, but the last page ends at {(double)declaredEnd / rate:0.###} s");
        return sink.ToClip(rate, path);
    }

    /// <summary>The first <c>length</c> bytes of a seekable stream, read-only: NVorbis never sees a partial last page or trailing bytes.</summary>
    private sealed class Prefix(Stream inner, long length) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => inner.Position; set => inner.Position = Math.Clamp(value, 0, length); }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer) => inner.Read(buffer[..(int)Math.Clamp(length - inner.Position, 0, buffer.Length)]);
        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => inner.Position + offset,
            _ => length + offset,
        };
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
