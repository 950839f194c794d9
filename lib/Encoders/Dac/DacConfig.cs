namespace PianoJudges.Encoders.Dac;

/// <summary>
/// Descript Audio Codec encoder + residual vector quantiser (Kumar et al., "High-Fidelity Audio Compression with
/// Improved RVQGAN", NeurIPS 2023). Defaults are the released 44.1 kHz model (dac.utils.download(model_type="44khz")).
/// </summary>
/// <param name="SampleRate">Input rate (44100).</param>
/// <param name="EncoderDim">Channels of the first convolution (64); each EncoderBlock doubles them.</param>
/// <param name="EncoderRates">Strides of the EncoderBlocks (2, 4, 8, 8): hop = their product = 512.</param>
/// <param name="LatentDim">Latent channels; null = EncoderDim * 2^blocks (1024).</param>
/// <param name="NCodebooks">Quantisers in the residual stack (9).</param>
/// <param name="CodebookSize">Entries per codebook (1024).</param>
/// <param name="CodebookDim">Factorised code dimension (8).</param>
/// <param name="ChunkSeconds">
/// Encode each segment in independent chunks of this length, each right-padded to a multiple of the hop, and
/// concatenate the frames (the paper's released code: 1 s chunks, 87 frames each, 870 per 10 s); null encodes the
/// whole segment at once (862 frames per 10 s, no chunk edges).
/// </param>
/// <param name="SegmentSeconds">Segment length the encoder expects (fixes FramesPerSegment).</param>
public sealed record DacConfig(
    int SampleRate = 44100,
    int EncoderDim = 64,
    int[]? EncoderRates = null,
    int? LatentDim = null,
    int NCodebooks = 9,
    int CodebookSize = 1024,
    int CodebookDim = 8,
    double? ChunkSeconds = null,
    double SegmentSeconds = 10.0)
{
    /// <summary>Corrected default: each 10 s segment encoded whole (the codec's receptive field is not cut every second).</summary>
    public static DacConfig Paper { get; } = new();

    /// <summary>The paper's released code: 1 s chunks, (87, 1024) each, 10 concatenated = (870, 1024) per segment.</summary>
    public static DacConfig PaperFaithful { get; } = new(ChunkSeconds: 1.0);

    public int[] Rates => EncoderRates ?? [2, 4, 8, 8];
    public int Latent => LatentDim ?? EncoderDim * (1 << Rates.Length);
    /// <summary>Samples per latent frame (512).</summary>
    public int HopLength => Rates.Aggregate(1, (a, r) => a * r);
    public int SegmentSamples => (int)Math.Round(SegmentSeconds * SampleRate);
    public int? ChunkSamples => ChunkSeconds is double s ? (int)Math.Round(s * SampleRate) : null;

    /// <summary>Latent frames for <paramref name="samples"/> input samples after DAC's right-padding to a hop multiple.</summary>
    public int FramesFor(int samples) => (samples + HopLength - 1) / HopLength;

    /// <summary>Frames per segment: whole (862 at 10 s, 44.1 kHz) or chunked (10 x 87 = 870).</summary>
    public int FramesPerSegment
    {
        get
        {
            int seg = SegmentSamples;
            if (ChunkSamples is not int chunk) return FramesFor(seg);
            int whole = seg / chunk, rest = seg % chunk;
            return whole * FramesFor(chunk) + (rest > 0 ? FramesFor(rest) : 0);
        }
    }

    internal void Validate()
    {
        if (Rates.Length == 0 || Rates.Any(r => r < 1)) throw new ArgumentException($"EncoderRates must be positive, got [{string.Join(", ", Rates)}]");
        if (ChunkSeconds is <= 0) throw new ArgumentException($"ChunkSeconds must be positive, got {ChunkSeconds}");
        if (NCodebooks < 1 || CodebookSize < 1 || CodebookDim < 1) throw new ArgumentException("codebook count, size and dim must be positive");
    }
}
