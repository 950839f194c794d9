namespace PianoJudges.Encoders.Jukebox;

/// <summary>How the audio is scaled before the VQ-VAE.</summary>
public enum JukeboxPeakNormalisation
{
    /// <summary>No scaling (corrected default: the segments keep their loudness relative to each other).</summary>
    None,
    /// <summary>The paper's code (audio_for_jbx): the whole recording divided by its absolute peak. Here the peak is taken over all segments given to one Encode call.</summary>
    Recording,
}

/// <summary>
/// The encoder of one level of Jukebox's VQ-VAE (Dhariwal et al., "Jukebox: A Generative Model for Music", 2020;
/// openai/jukebox hparams "vqvae" of the 5b model). Level 2 is the top level (hop 8 * 4 * 4 = 128) the paper uses.
/// </summary>
/// <param name="SampleRate">Input rate (44100).</param>
/// <param name="Level">Which level's encoder (0, 1 or 2); the paper's code takes vqvae.encoders[2].</param>
/// <param name="DownsT">Downsampling convolutions per level (3, 2, 2).</param>
/// <param name="StridesT">Stride of each downsampling convolution per level (2, 2, 2).</param>
/// <param name="EmbWidth">Latent width (64).</param>
/// <param name="Width">Residual stack width (32) before the level multiplier.</param>
/// <param name="Depth">ResConv1DBlocks per Resnet1D (4) before the level multiplier.</param>
/// <param name="MConv">Residual hidden width / width (1.0).</param>
/// <param name="DilationGrowthRate">Dilation of block d is rate^d (3: 1, 3, 9, 27).</param>
/// <param name="Multipliers">Per-level multipliers of width and depth (hvqvae_multipliers (2, 1, 1)).</param>
/// <param name="LBins">Codebook entries per level (2048), used only when <paramref name="Quantised"/>.</param>
/// <param name="Quantised">
/// False (the paper's code and the default): the encoder output before the bottleneck. True: each frame replaced
/// by its nearest codebook entry (bottleneck.level_blocks.N.k), as the VQ-VAE's tokens would decode.
/// </param>
/// <param name="PeakNormalisation">Input scaling.</param>
/// <param name="SegmentSeconds">Segment length the encoder expects (fixes FramesPerSegment).</param>
public sealed record JukeboxConfig(
    int SampleRate = 44100,
    int Level = 2,
    int[]? DownsT = null,
    int[]? StridesT = null,
    int EmbWidth = 64,
    int Width = 32,
    int Depth = 4,
    double MConv = 1.0,
    int DilationGrowthRate = 3,
    int[]? Multipliers = null,
    int LBins = 2048,
    bool Quantised = false,
    JukeboxPeakNormalisation PeakNormalisation = JukeboxPeakNormalisation.None,
    double SegmentSeconds = 10.0)
{
    /// <summary>Corrected default: the top-level encoder output, unquantised, audio as given.</summary>
    public static JukeboxConfig Paper { get; } = new();

    /// <summary>The paper's code: the recording scaled to unit peak, then the top-level encoder output, unquantised.</summary>
    public static JukeboxConfig PaperFaithful { get; } = new(PeakNormalisation: JukeboxPeakNormalisation.Recording);

    public int[] Downs => DownsT ?? [3, 2, 2];
    public int[] Strides => StridesT ?? [2, 2, 2];
    public int[] LevelMultipliers => Multipliers ?? [2, 1, 1];
    /// <summary>Residual width of this level's encoder (Width x multiplier).</summary>
    public int LevelWidth => Width * LevelMultipliers[Level];
    /// <summary>Residual depth of this level's encoder (Depth x multiplier).</summary>
    public int LevelDepth => Depth * LevelMultipliers[Level];
    /// <summary>Samples per output frame (128 for the top level).</summary>
    public int HopLength => Enumerable.Range(0, Level + 1).Aggregate(1, (a, l) => a * (int)Math.Pow(Strides[l], Downs[l]));
    public int SegmentSamples => (int)Math.Round(SegmentSeconds * SampleRate);

    /// <summary>Output frames for <paramref name="samples"/> input samples: each strided conv (k 2s, padding s/2) maps L to floor((L + 2(s/2) - 2s) / s) + 1.</summary>
    public int FramesFor(int samples)
    {
        long length = samples;
        for (int l = 0; l <= Level; l++)
        for (int d = 0; d < Downs[l]; d++)
        {
            int s = Strides[l];
            length = (length + 2 * (s / 2) - 2 * s) / s + 1;
        }
        return (int)length;
    }

    /// <summary>3445 for 10 s at 44.1 kHz at the top level.</summary>
    public int FramesPerSegment => FramesFor(SegmentSamples);

    internal void Validate()
    {
        if (Level < 0 || Level >= Downs.Length || Downs.Length != Strides.Length || LevelMultipliers.Length != Downs.Length)
            throw new ArgumentException($"Level {Level} with DownsT [{string.Join(", ", Downs)}], StridesT [{string.Join(", ", Strides)}], multipliers [{string.Join(", ", LevelMultipliers)}]: lengths must agree and Level index them");
        if (Downs.Any(d => d < 1) || Strides.Any(s => s < 2)) throw new ArgumentException("every level needs at least one downsampling conv of stride >= 2");
    }
}
