namespace PianoJudges.Audio;

/// <summary>
/// OGG/Vorbis through NVorbis, given only the file's whole, checked pages (<see cref="OggPages.Scan"/>); the length from
/// the last page's granule position pre-sizes the arrays and catches streams that stop early.
/// </summary>
/// <remarks>
/// NVorbis 0.10.5 trims the stream's last packet to the last granule position itself, and when mutated audio packets
/// decode to more samples than that position allows (more than the last packet holds), its <c>StreamDecoder.Read</c>
/// loops forever: the packet's valid end falls before its start, and the copy never advances (found by fuzzing,
/// docs/RELIABILITY.md). So NVorbis never learns which packet ends the stream: it is shown the last page without its
/// end-of-stream flag, followed by one page (flagged end of stream) holding a one-byte non-audio packet, and the trim to
/// the granule position is done here, where the same count is computed without NVorbis's loop.
/// </remarks>
internal static class VorbisDecoder
{
    /// <summary>Slack for the stream's start offset and the last packet's trim (one long Vorbis block).</summary>
    private const int ToleranceFrames = 8192;

    public static AudioClip Read(string path, AudioReadOptions options)
    {
        var layout = OggPages.Scan(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var vorbis = new NVorbis.VorbisReader(Prefix.Of(file, layout), closeOnDispose: true);
        int channels = vorbis.Channels, rate = vorbis.SampleRate;
        if (channels <= 0 || rate <= 0) throw new AudioFormatException(path, $"invalid Vorbis stream ({channels} channels at {rate} Hz)");
        long total = Math.Max(0, vorbis.TotalSamples);
        long declaredEnd = layout.LastGranule ?? total;
        long frames = 0;
        bool ended = false;
        int ReadTrimmed(float[] buffer, int offset, int count)
        {
            if (ended) return 0;
            int n = vorbis.ReadSamples(buffer, offset, count);
            if (layout.LastGranule is long end)
            {
                // NVorbis's own trim: its position after the last packet is the granule position; when that page is also
                // where it first learns a position, its position until then is the count of samples it has given
                long got = n / channels, first = layout.LastPage?.FirstAudioPage == true ? frames : vorbis.SamplePosition - got;
                long keep = Math.Clamp(end - first, 0, got);
                if (keep < got) (n, ended) = ((int)keep * channels, true);
            }
            frames += n / channels;
            return n;
        }
        var sink = ChannelSink.ReadInterleaved(path, channels, rate, total, options, 4096, ReadTrimmed);
        long limit = options.FrameLimit(rate);
        // a damaged page ends NVorbis's stream early without an error; the last page says how long it should be
        long wanted = limit >= 0 ? Math.Min(limit, declaredEnd) : declaredEnd;
        if (sink.Frames + ToleranceFrames < wanted)
            throw new AudioFormatException(path, $"corrupt OGG/Vorbis data: decoding stopped at {(double)sink.Frames / rate:0.###} s, but the last page ends at {(double)declaredEnd / rate:0.###} s");
        return sink.ToClip(rate, path);
    }

    /// <summary>
    /// The first <c>length</c> bytes of a seekable stream, read-only, with <c>patch</c> laid over them at <c>patchAt</c> and
    /// <c>tail</c> after them: NVorbis never sees a partial last page or trailing bytes, nor where the stream ends.
    /// </summary>
    private sealed class Prefix(Stream inner, long length, long patchAt, byte[] patch, byte[] tail) : Stream
    {
        private long _position;

        public static Prefix Of(Stream inner, OggPages.Layout layout) => layout.LastPage is { } last
            ? new Prefix(inner, layout.End, last.Offset, last.HeaderWithoutEos,
                         OggPages.Page(last.Serial, last.NextSequence, layout.LastGranule ?? 0, flags: 4, [0x01]))
            : new Prefix(inner, layout.End, 0, [], []);

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length + tail.Length;
        public override long Position { get => _position; set => _position = Math.Clamp(value, 0, Length); }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            int n = 0;
            if (_position < length)
            {
                inner.Position = _position;
                n = inner.ReadAtLeast(buffer[..(int)Math.Min(length - _position, buffer.Length)], 1, throwOnEndOfStream: false);
                // the patch's overlap with [_position, _position + n)
                long from = Math.Max(_position, patchAt), to = Math.Min(_position + n, patchAt + patch.Length);
                if (from < to) patch.AsSpan((int)(from - patchAt), (int)(to - from)).CopyTo(buffer[(int)(from - _position)..]);
            }
            else if (_position < Length)
            {
                n = (int)Math.Min(Length - _position, buffer.Length);
                tail.AsSpan((int)(_position - length), n).CopyTo(buffer);
            }
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
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
