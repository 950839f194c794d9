namespace PianoJudges.Audio;

/// <summary>Cuts a mono recording into the paper's fixed-length segments.</summary>
public static class Segmenter
{
    public static SegmentedAudio Split(float[] mono, int sampleRate, SegmentingOptions options)
    {
        int segLen = (int)Math.Round(options.SegmentSeconds * sampleRate);
        int whole = mono.Length / segLen;
        int count = options.Tail == TailMode.Faithful ? Math.Max(1, whole) : Math.Max(1, (mono.Length + segLen - 1) / segLen);
        count = Math.Min(count, options.MaxSegments);
        var segments = new float[count][];
        var valid = new int[count];
        for (int s = 0; s < count; s++)
        {
            segments[s] = new float[segLen];
            int start = s * segLen;
            int n = Math.Clamp(mono.Length - start, 0, segLen);
            if (options.Tail == TailMode.Faithful && whole == 0) n = 0;
            mono.AsSpan(start, n).CopyTo(segments[s]);
            valid[s] = n;
        }
        return new SegmentedAudio(segments, valid, sampleRate);
    }
}
