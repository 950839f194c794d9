namespace PianoJudges.Audio;

/// <summary>What happens to the part of a recording after the last whole segment.</summary>
public enum TailMode
{
    /// <summary>Corrected default: zero-pad the last partial segment and mark the padding in the mask.</summary>
    ZeroPad,
    /// <summary>The released code: only whole segments; a recording shorter than one segment becomes one all-zero segment.</summary>
    Faithful,
}

/// <summary>The paper's segmenting: 10 s segments, at most 30 of them (5 minutes).</summary>
public sealed record SegmentingOptions(double SegmentSeconds = 10.0, int MaxSegments = 30, TailMode Tail = TailMode.ZeroPad)
{
    public static SegmentingOptions Paper { get; } = new();
    public static SegmentingOptions PaperFaithful { get; } = new(Tail: TailMode.Faithful);
}

/// <summary>A recording cut into fixed-length segments at one sample rate.</summary>
/// <param name="Segments">Each segment is exactly SegmentSamples long (zero-padded where needed).</param>
/// <param name="ValidSamples">Per segment, how many leading samples are real audio (the rest is padding).</param>
/// <param name="SampleRate">Sample rate of the segments.</param>
public sealed record SegmentedAudio(float[][] Segments, int[] ValidSamples, int SampleRate)
{
    public int Count => Segments.Length;
    public int SegmentSamples => Segments.Length == 0 ? 0 : Segments[0].Length;
}
