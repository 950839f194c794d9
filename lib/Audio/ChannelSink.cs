namespace PianoJudges.Audio;

using System.Runtime.CompilerServices;

/// <summary>
/// Collects interleaved decoder output straight into per-channel arrays, pre-sized when the decoder
/// knows the length (so no List growth or second copy), grown by doubling when it does not.
/// </summary>
internal sealed class ChannelSink
{
    private readonly float[][] _data;
    private readonly long _maxFrames;
    private int _frames;

    /// <param name="expectedFrames">The decoder's length estimate (0 when unknown).</param>
    /// <param name="maxFrames">Frames after which <see cref="IsFull"/> turns true (-1: no limit).</param>
    public ChannelSink(int channels, long expectedFrames, long maxFrames)
    {
        _maxFrames = maxFrames < 0 ? Array.MaxLength : Math.Min(maxFrames, Array.MaxLength);
        long capacity = Math.Clamp(expectedFrames > 0 ? expectedFrames : 1 << 16, 1, _maxFrames);
        _data = new float[channels][];
        for (int c = 0; c < channels; c++) _data[c] = new float[capacity];
    }

    /// <summary>
    /// Decodes a stream of interleaved float samples (<paramref name="read"/>(buffer, offset, count) -> samples read,
    /// 0 at the end) of <paramref name="totalFrames"/> declared frames into a sink, honouring the options' MaxSeconds
    /// cut and, without one, their duration limit (a clear <see cref="AudioReader.TooLong"/> error, before decoding
    /// when the declared length already exceeds it).
    /// </summary>
    public static ChannelSink ReadInterleaved(string path, int channels, int rate, long totalFrames, AudioReadOptions options,
        int bufferFrames, Func<float[], int, int, int> read)
    {
        long limit = options.FrameLimit(rate);
        if (limit < 0 && totalFrames > options.DurationLimitFrames(rate))
            throw AudioReader.TooLong(path, (double)totalFrames / rate, options);
        long durationLimit = limit >= 0 ? limit : options.DurationLimitFrames(rate) + 1;
        // A forged length field (an OGG granule position, an MP3 frame count) must not reserve gigabytes for a small
        // file: pre-size at most MaxFramesPerFileByte frames per byte of the file; the sink grows if the audio is longer.
        long plausible = new FileInfo(path).Length * MaxFramesPerFileByte;
        var sink = new ChannelSink(channels, Math.Min(plausible, limit >= 0 ? Math.Min(totalFrames, limit) : totalFrames), durationLimit);
        var buffer = new float[bufferFrames * channels];
        int n;
        while (!sink.IsFull && (n = read(buffer, 0, buffer.Length)) > 0)
            sink.AppendInterleaved(buffer.AsSpan(0, n));
        if (limit < 0 && sink.IsFull) throw AudioReader.TooLong(path, (double)sink.Frames / rate, options);
        return sink;
    }

    /// <summary>Frames per byte of an encoded file beyond which its declared length is not trusted for pre-sizing
    /// (MP3 or Vorbis at 32 kbit/s and 44.1 kHz is about 11; digital silence can compress further, and then grows the sink).</summary>
    private const long MaxFramesPerFileByte = 16;

    public int Channels => _data.Length;
    public int Frames => _frames;
    public bool IsFull => _frames >= _maxFrames;

    /// <summary>How many more frames may be appended before the limit.</summary>
    public int Remaining => (int)Math.Min(int.MaxValue, _maxFrames - _frames);

    /// <summary>Appends whole frames of interleaved samples (a trailing partial frame is ignored); stops at the limit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the tier-0/OSR code of a method called a few times
    public void AppendInterleaved(ReadOnlySpan<float> interleaved)
    {
        int channels = _data.Length;
        int frames = Math.Min(interleaved.Length / channels, Remaining);
        EnsureCapacity(frames);
        if (channels == 1)
        {
            interleaved[..frames].CopyTo(_data[0].AsSpan(_frames));
        }
        else
        {
            for (int c = 0; c < channels; c++)
            {
                var dst = _data[c].AsSpan(_frames, frames);
                for (int i = 0, k = c; i < dst.Length; i++, k += channels) dst[i] = interleaved[k];
            }
        }
        _frames += frames;
    }

    /// <summary>A writable span of <paramref name="frames"/> frames of channel <paramref name="channel"/> at the end; call <see cref="Commit"/> after filling every channel.</summary>
    public Span<float> Reserve(int channel, int frames)
    {
        EnsureCapacity(frames);
        return _data[channel].AsSpan(_frames, frames);
    }

    public void Commit(int frames) => _frames += frames;

    private void EnsureCapacity(int extra)
    {
        long needed = (long)_frames + extra;
        if (needed <= _data[0].Length) return;
        long capacity = Math.Min(Math.Max(needed, 2L * _data[0].Length), Array.MaxLength);
        if (needed > capacity) throw new InvalidOperationException($"audio longer than the largest array ({Array.MaxLength} samples per channel)");
        for (int c = 0; c < _data.Length; c++) Array.Resize(ref _data[c], (int)capacity);
    }

    public AudioClip ToClip(int sampleRate, string source)
    {
        for (int c = 0; c < _data.Length; c++)
            if (_data[c].Length != _frames) Array.Resize(ref _data[c], _frames);
        return new AudioClip(_data, sampleRate, source);
    }
}
