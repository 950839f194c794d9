namespace PianoJudges.FineTuning.Dac;

using PianoJudges.Encoders.Dac;

/// <summary>
/// DAC's codec training recipe (descript-audio-codec conf/base.yml and scripts/train.py): the generator
/// (encoder, RVQ with quantiser dropout, decoder), the MPD + MRD discriminator, the loss weights and the optimiser.
/// Defaults are the release's 44.1 kHz model and base.yml; <see cref="Toy"/> is a tiny config for teaching runs and tests.
/// </summary>
/// <param name="Codec">Encoder and quantiser shape (lib/Encoders/Dac), so the fine-tuned encoder loads there unchanged.</param>
/// <param name="DecoderDim">decoder_dim (1536).</param>
/// <param name="DecoderRates">decoder_rates (8, 8, 4, 2).</param>
/// <param name="QuantizerDropout">Fraction of each batch that gets a random number of quantisers, 1..n (quantizer_dropout 1.0).</param>
/// <param name="Periods">MPD periods (2, 3, 5, 7, 11).</param>
/// <param name="FftSizes">MRD window lengths (2048, 1024, 512).</param>
/// <param name="Bands">MRD frequency bands as fractions of the spectrum.</param>
/// <param name="MpdChannels">MPD conv widths (32, 128, 512, 1024, 1024 in the release; smaller only for toy runs).</param>
/// <param name="MrdChannels">MRD conv width (32).</param>
/// <param name="MelWindowLengths">Multi-scale mel loss windows (32 ... 2048), hop = window / 4.</param>
/// <param name="MelBins">Mel bins per window (5 ... 320).</param>
/// <param name="LambdaMel">mel/loss weight (15).</param>
/// <param name="LambdaAdversarial">adv/gen_loss weight (1).</param>
/// <param name="LambdaFeature">adv/feat_loss weight (2).</param>
/// <param name="LambdaCommitment">vq/commitment_loss weight (0.25).</param>
/// <param name="LambdaCodebook">vq/codebook_loss weight (1).</param>
/// <param name="LearningRate">AdamW lr of both optimisers (1e-4).</param>
/// <param name="Beta1">AdamW beta1 (0.8).</param>
/// <param name="Beta2">AdamW beta2 (0.99).</param>
/// <param name="WeightDecay">AdamW weight decay (torch's default 0.01; base.yml does not set it).</param>
/// <param name="Gamma">ExponentialLR gamma per iteration (0.999996).</param>
/// <param name="GeneratorClip">Gradient-norm clip of the generator (1e3).</param>
/// <param name="DiscriminatorClip">Gradient-norm clip of the discriminator (10).</param>
/// <param name="CropSeconds">Training excerpt length (train/AudioDataset.duration 0.38).</param>
/// <param name="BatchSize">Excerpts per iteration (72).</param>
/// <param name="LoudnessDb">Target integrated loudness of each excerpt in LUFS (VolumeNorm.db -16; BS.1770 as audiotools measures it).</param>
/// <param name="ShiftPhase">Apply the ShiftPhase transform (a uniform random STFT phase rotation per excerpt; on in base.yml).</param>
public sealed record DacTrainingConfig(
    DacConfig? Codec = null,
    int DecoderDim = 1536,
    int[]? DecoderRates = null,
    double QuantizerDropout = 1.0,
    int[]? Periods = null,
    int[]? FftSizes = null,
    double[][]? Bands = null,
    int[]? MpdChannels = null,
    int MrdChannels = 32,
    int[]? MelWindowLengths = null,
    int[]? MelBins = null,
    double LambdaMel = 15.0,
    double LambdaAdversarial = 1.0,
    double LambdaFeature = 2.0,
    double LambdaCommitment = 0.25,
    double LambdaCodebook = 1.0,
    double LearningRate = 1e-4,
    double Beta1 = 0.8,
    double Beta2 = 0.99,
    double WeightDecay = 0.01,
    double Gamma = 0.999996,
    double GeneratorClip = 1e3,
    double DiscriminatorClip = 10.0,
    double CropSeconds = 0.38,
    int BatchSize = 72,
    double LoudnessDb = -16.0,
    bool ShiftPhase = true)
{
    /// <summary>The release's recipe (conf/base.yml) for the 44.1 kHz model.</summary>
    public static DacTrainingConfig Release { get; } = new();

    /// <summary>A tiny codec at 8 kHz for teaching runs and tests (two encoder blocks, 3 codebooks, short windows).</summary>
    public static DacTrainingConfig Toy { get; } = new(
        Codec: new DacConfig(SampleRate: 8000, EncoderDim: 8, EncoderRates: [2, 4], NCodebooks: 3, CodebookSize: 32, CodebookDim: 4),
        DecoderDim: 32, DecoderRates: [4, 2], Periods: [2, 3], FftSizes: [256, 128], MpdChannels: [8, 16, 32, 32, 32], MrdChannels: 8,
        MelWindowLengths: [64, 256], MelBins: [10, 40], CropSeconds: 0.128, BatchSize: 4);

    public DacConfig CodecConfig => Codec ?? new DacConfig();
    public int[] Decoding => DecoderRates ?? [8, 8, 4, 2];
    public int[] MpdPeriods => Periods ?? [2, 3, 5, 7, 11];
    public int[] MrdFftSizes => FftSizes ?? [2048, 1024, 512];
    public int[] MpdWidths => MpdChannels ?? [32, 128, 512, 1024, 1024];
    public double[][] MrdBands => Bands ?? [[0.0, 0.1], [0.1, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1.0]];
    public int[] MelWindows => MelWindowLengths ?? [32, 64, 128, 256, 512, 1024, 2048];
    public int[] MelSizes => MelBins ?? [5, 10, 20, 40, 80, 160, 320];
    public int CropSamples => (int)Math.Round(CropSeconds * CodecConfig.SampleRate);

    internal void Validate()
    {
        if (MelWindows.Length != MelSizes.Length)
            throw new ArgumentException($"MelWindowLengths ({MelWindows.Length}) and MelBins ({MelSizes.Length}) must pair up");
        if (QuantizerDropout is < 0 or > 1) throw new ArgumentException($"QuantizerDropout must be in [0, 1], got {QuantizerDropout}");
        if (MrdBands.Any(b => b.Length != 2 || b[0] < 0 || b[1] > 1 || b[0] >= b[1]))
            throw new ArgumentException("each MRD band must be [low, high] with 0 <= low < high <= 1");
        if (CropSamples < CodecConfig.HopLength) throw new ArgumentException($"CropSeconds {CropSeconds} is shorter than one latent frame");
        if (MpdWidths.Length != 5 || MpdWidths.Any(c => c < 1)) throw new ArgumentException("MpdChannels must list 5 positive widths");
        if (MrdChannels < 1) throw new ArgumentException($"MrdChannels must be positive, got {MrdChannels}");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1, got {BatchSize}");
        if (ShiftPhase && CropSamples <= DacTransforms.PhaseShiftWindow(CodecConfig.SampleRate) / 2)
            throw new ArgumentException($"CropSeconds {CropSeconds} is too short for ShiftPhase's {DacTransforms.PhaseShiftWindow(CodecConfig.SampleRate)}-sample STFT");
    }
}
