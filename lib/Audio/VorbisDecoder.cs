namespace PianoJudges.Audio;

/// <summary>OGG/Vorbis through NVorbis; the length from the last page's granule position pre-sizes the arrays.</summary>
internal static class VorbisDecoder
{
    /// <summary>Slack for the stream's start offset and the last packet's trim (one long Vorbis block).</summary>
    private const int ToleranceFrames = 8192;

    public static AudioClip Read(string path, AudioReadOptions options)
    {
        using var vorbis = new NVorbis.VorbisReader(path);
        int channels = vorbis.Channels, rate = vorbis.SampleRate;
        if (channels <= 0 || rate <= 0) throw new AudioFormatException(path, $"invalid Vorbis stream ({channels} channels at {rate} Hz)");
        long total = Math.Max(0, vorbis.TotalSamples);
        long declaredEnd = OggPages.LastGranule(path) ?? total;
        long limit = options.FrameLimit(rate);
        if (limit < 0 && total > options.DurationLimitFrames(rate))
            throw AudioReader.TooLong(path, (double)total / rate, options);
        long durationLimit = limit >= 0 ? limit : options.DurationLimitFrames(rate) + 1;
        var sink = new ChannelSink(channels, limit >= 0 ? Math.Min(total, limit) : total, durationLimit);
        var buffer = new float[4096 * channels];
        int n;
        while (!sink.IsFull && (n = vorbis.ReadSamples(buffer, 0, buffer.Length)) > 0)
            sink.AppendInterleaved(buffer.AsSpan(0, n));
        if (limit < 0 && sink.IsFull) throw AudioReader.TooLong(path, (double)sink.Frames / rate, options);
        // a damaged page ends NVorbis's stream early without an error; the last page says how long it should be
        long wanted = limit >= 0 ? Math.Min(limit, declaredEnd) : declaredEnd;
        if (sink.Frames + ToleranceFrames < wanted)
            throw new AudioFormatException(path, $"corrupt OGG/Vorbis data: decoding stopped at {(double)sink.Frames / rate:0.###} s, but the last page ends at {(double)declaredEnd / rate:0.###} s");
        return sink.ToClip(rate, path);
    }
}
