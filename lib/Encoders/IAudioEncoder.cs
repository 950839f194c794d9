namespace PianoJudges.Encoders;

using PianoJudges.Audio;

/// <summary>The facts of one encoder that the paper's Table 1 lists, read from one place.</summary>
/// <param name="Name">Registry name: spectrogram, mert, audiomae, dac, jukebox.</param>
/// <param name="SampleRate">Input sample rate in Hz.</param>
/// <param name="FrameRate">Output frames per second.</param>
/// <param name="Dim">Output dimension per frame.</param>
/// <param name="FramesPerSegment">Frames stored per 10 s segment (T).</param>
public sealed record EncoderInfo(string Name, int SampleRate, double FrameRate, int Dim, int FramesPerSegment, string Description);

/// <summary>An encoder turns segmented audio into a (segments, frames, dim) embedding.</summary>
public interface IAudioEncoder
{
    EncoderInfo Info { get; }

    /// <summary>A stable text that identifies the encoder and every setting that changes its output (hashed into cache keys).</summary>
    string ConfigKey { get; }

    /// <summary>Encodes every segment; audio must already be at Info.SampleRate.</summary>
    Embedding Encode(SegmentedAudio audio, CancellationToken cancellationToken = default);
}

/// <summary>One recording's embedding: row-major (Segments, Frames, Dim) floats and a per-segment mask.</summary>
public sealed class Embedding
{
    public Embedding(float[] data, int segments, int frames, int dim, bool[] mask)
    {
        if (data.Length != (long)segments * frames * dim)
            throw new ArgumentException($"data has {data.Length} values, expected {segments}x{frames}x{dim}");
        if (mask.Length != segments)
            throw new ArgumentException($"mask has {mask.Length} entries, expected {segments}");
        (Data, Segments, Frames, Dim, Mask) = (data, segments, frames, dim, mask);
    }

    public float[] Data { get; }
    public int Segments { get; }
    public int Frames { get; }
    public int Dim { get; }
    /// <summary>True where the segment holds real audio; false for padding segments.</summary>
    public bool[] Mask { get; }

    public Span<float> Segment(int s) => Data.AsSpan(s * Frames * Dim, Frames * Dim);
}
