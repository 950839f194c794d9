namespace PianoJudges.Audio;

/// <summary>OGG/Vorbis through NVorbis; the length from the last page's granule position pre-sizes the arrays.</summary>
internal static class VorbisDecoder
{
    /// <summary>Slack for the stream's start offset and the last packet's trim (one long Vorbis block).</summary>
    private const int ToleranceFrames = 8192;

    public static AudioClip Read(string path, AudioReadOptions options)
    {
        OggPages.CheckVorbisComments(path);
        using var vorbis = new NVorbis.VorbisReader(path);
        int channels = vorbis.Channels, rate = vorbis.SampleRate;
        if (channels <= 0 || rate <= 0) throw new AudioFormatException(path, $"invalid Vorbis stream ({channels} channels at {rate} Hz)");
        long total = Math.Max(0, vorbis.TotalSamples);
        long declaredEnd = OggPages.LastGranule(path) ?? total;
        // NVorbis 0.10.5 keeps positions within a packet in 32 bits: a last granule position of 2^31 or more (forged, or
        // over 12 hours at 48 kHz) makes its ReadSamples loop forever without output (found by fuzzing, docs/RELIABILITY.md)
        if (Math.Max(total, declaredEnd) >= int.MaxValue)
            throw new AudioFormatException(path, $"its last OGG page declares {Math.Max(total, declaredEnd)} samples ({Math.Max(total, declaredEnd) / (double)rate:0.#} s); "
                                                 + "OGG/Vorbis streams of 2^31 samples or more are not supported");
        var sink = ChannelSink.ReadInterleaved(path, channels, rate, total, options, 4096, (b, o, c) => vorbis.ReadSamples(b, o, c));
        long limit = options.FrameLimit(rate);
        // a damaged page ends NVorbis's stream early without an error; the last page says how long it should be
        long wanted = limit >= 0 ? Math.Min(limit, declaredEnd) : declaredEnd;
        if (sink.Frames + ToleranceFrames < wanted)
            throw new AudioFormatException(path, $"corrupt OGG/Vorbis data: decoding stopped at {(double)sink.Frames / rate:0.###} s, but the last page ends at {(double)declaredEnd / rate:0.###} s");
        return sink.ToClip(rate, path);
    }
}
