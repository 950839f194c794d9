namespace PianoJudges.Audio;

/// <summary>
/// Cuts a mono recording into the paper's fixed-length segments (10 s, at most 30 = 5 minutes).
/// <see cref="TailMode.ZeroPad"/> (default) keeps a partial last segment, zero-padded, and a recording shorter
/// than one segment gives one padded segment; <see cref="TailMode.Faithful"/> is the released code:
/// only whole segments (num_samples // (sr * 10)), a partial tail dropped, and a recording shorter than one
/// segment gives one all-zero segment (ValidSamples 0).
/// </summary>
public static class Segmenter
{
    /// <summary>Samples per segment: SegmentSeconds · sampleRate, rounded.</summary>
    public static int SegmentSamples(int sampleRate, SegmentingOptions options)
    {
        Check(sampleRate, options);
        return checked((int)Math.Round(options.SegmentSeconds * sampleRate));
    }

    /// <summary>How many leading samples <see cref="Split"/> can use at most (MaxSegments · SegmentSamples):
    /// a loader need not read beyond this.</summary>
    public static long SamplesNeeded(int sampleRate, SegmentingOptions options) =>
        (long)SegmentSamples(sampleRate, options) * options.MaxSegments;

    /// <summary>Splits <paramref name="mono"/> into segments of <see cref="SegmentSamples"/> samples.</summary>
    /// <returns>Count × SegmentSamples, 1 ≤ Count ≤ MaxSegments; ValidSamples[i] counts the real samples of segment i.</returns>
    public static SegmentedAudio Split(float[] mono, int sampleRate, SegmentingOptions options)
    {
        ArgumentNullException.ThrowIfNull(mono);
        int size = SegmentSamples(sampleRate, options);
        int whole = mono.Length / size;
        int count = options.Tail switch
        {
            TailMode.ZeroPad => (int)Math.Min(options.MaxSegments, Math.Max(1, ((long)mono.Length + size - 1) / size)),
            TailMode.Faithful => Math.Min(options.MaxSegments, Math.Max(1, whole)),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Tail, "unknown TailMode"),
        };
        bool faithfulShort = options.Tail == TailMode.Faithful && whole == 0;
        var segments = new float[count][];
        var valid = new int[count];
        for (int i = 0; i < count; i++)
        {
            segments[i] = new float[size];
            long start = (long)i * size;
            int n = faithfulShort ? 0 : (int)Math.Clamp(mono.Length - start, 0, size);
            mono.AsSpan((int)Math.Min(start, mono.Length), n).CopyTo(segments[i]);
            valid[i] = n;
        }
        return new SegmentedAudio(segments, valid, sampleRate);
    }

    private static void Check(int sampleRate, SegmentingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sample rate must be positive");
        if (!(options.SegmentSeconds > 0) || double.IsInfinity(options.SegmentSeconds))
            throw new ArgumentOutOfRangeException(nameof(options), options.SegmentSeconds, "SegmentSeconds must be positive and finite");
        if (options.MaxSegments < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxSegments, "MaxSegments must be at least 1");
        if (Math.Round(options.SegmentSeconds * sampleRate) < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.SegmentSeconds, $"a segment of {options.SegmentSeconds} s holds no sample at {sampleRate} Hz");
    }
}
