namespace PianoJudges.FineTuning.AudioMae;

using PianoJudges.Encoders.AudioMae;

/// <summary>Audio-MAE's decoder (models_mae.py decoder_mode).</summary>
public enum AudioMaeDecoderMode
{
    /// <summary>decoder_mode 0: timm transformer blocks with global attention over all 512 tokens and the cls token.</summary>
    Global = 0,
    /// <summary>decoder_mode 1: Swin blocks (local window attention, every other block shifted), cls token dropped. The AudioSet-2M run's choice.</summary>
    SwinLocal = 1,
}

/// <summary>Which patches are masked (models_mae.py random_masking / random_masking_2d).</summary>
public enum AudioMaeMasking
{
    /// <summary>Each patch independently, a fixed count per clip: int(L (1 - ratio)) kept (the default; mask_2d False).</summary>
    Unstructured,
    /// <summary>Whole time rows and frequency columns (mask_2d True): int(T (1 - t_prob)) x int(F (1 - f_prob)) patches kept.</summary>
    TimeFrequency,
}

/// <summary>
/// Audio-MAE self-supervised pre-training (Huang et al. 2022; facebookresearch/AudioMAE models_mae.py, main_pretrain.py,
/// submit_pretrain_audioset2M.sh). Defaults are the released AudioSet-2M run: ViT-B/16 encoder, 512-wide decoder with
/// 16 heads in Swin mode (16 blocks, window 4 x 4, shift (2, 0)), mask ratio 0.8, norm_pix_loss, roll-and-magnitude
/// augmentation, AdamW (0.9, 0.95), base lr 2e-4 x batch / 256, weight decay 1e-4, 3 warm-up epochs of 33, half-cycle cosine.
/// </summary>
/// <param name="Encoder">The ViT encoder and its front end (lib/Encoders/AudioMae); its Pretrained layout is the checkpoint's.</param>
/// <param name="DecoderEmbedDim">decoder_embed_dim (512).</param>
/// <param name="DecoderDepth">Decoder blocks: decoder_depth (8) in Global mode; the Swin decoder has 16, hard-coded in the release.</param>
/// <param name="DecoderNumHeads">decoder_num_heads (16; the Swin decoder hard-codes 16 too).</param>
/// <param name="DecoderMode">Global or SwinLocal.</param>
/// <param name="WindowTime">Swin window along time, in patches (4).</param>
/// <param name="WindowFreq">Swin window along frequency (4).</param>
/// <param name="ShiftTime">Shift of the odd blocks along time (2).</param>
/// <param name="ShiftFreq">Shift of the odd blocks along frequency (0 in the release).</param>
/// <param name="NoShift">no_shift: every Swin block unshifted.</param>
/// <param name="MetaHiddenDim">Hidden width of the Swin continuous position-bias MLP (384).</param>
/// <param name="MetaDropout">Dropout in that MLP (0.1 after each layer, as timm's patched file sets it).</param>
/// <param name="MaskRatio">mask_ratio (0.8).</param>
/// <param name="Masking">Unstructured (mask_2d False, the run's) or TimeFrequency.</param>
/// <param name="MaskTimeProb">mask_t_prob for TimeFrequency (main_pretrain.py default 0.7).</param>
/// <param name="MaskFreqProb">mask_f_prob for TimeFrequency (main_pretrain.py default 0.3).</param>
/// <param name="NormPixLoss">Normalise each target patch by its mean and (unbiased) variance (True).</param>
/// <param name="RollMagAug">roll_mag_aug: roll the waveform by a random offset and scale it by Beta(10, 10) + 0.5 (True in the AudioSet-2M run).</param>
/// <param name="BaseLearningRate">blr (2e-4 in the AudioSet-2M script; argparse default 1e-3); lr = blr x effective batch / 256.</param>
/// <param name="WeightDecay">AdamW weight decay (1e-4 in the AudioSet-2M script; argparse default 0.05). Biases and 1-d parameters are exempt (timm add_weight_decay).</param>
/// <param name="Beta1">AdamW beta1 (0.9).</param>
/// <param name="Beta2">AdamW beta2 (0.95).</param>
/// <param name="MinLearningRate">min_lr of the cosine (0).</param>
/// <param name="WarmupFraction">Warm-up as a fraction of the run (3 of 33 epochs).</param>
/// <param name="BatchSize">Effective batch (8 per GPU x 64 GPUs = 512).</param>
/// <param name="CropSeconds">Excerpt length (AudioSet clips are 10 s; 998 fbank frames, zero-padded to 1024).</param>
public sealed record AudioMaePretrainConfig(
    AudioMaeConfig? Encoder = null,
    int DecoderEmbedDim = 512,
    int DecoderDepth = 8,
    int DecoderNumHeads = 16,
    AudioMaeDecoderMode DecoderMode = AudioMaeDecoderMode.SwinLocal,
    int WindowTime = 4,
    int WindowFreq = 4,
    int ShiftTime = 2,
    int ShiftFreq = 0,
    bool NoShift = false,
    int MetaHiddenDim = 384,
    double MetaDropout = 0.1,
    double MaskRatio = 0.8,
    AudioMaeMasking Masking = AudioMaeMasking.Unstructured,
    double MaskTimeProb = 0.7,
    double MaskFreqProb = 0.3,
    bool NormPixLoss = true,
    bool RollMagAug = true,
    double BaseLearningRate = 2e-4,
    double WeightDecay = 1e-4,
    double Beta1 = 0.9,
    double Beta2 = 0.95,
    double MinLearningRate = 0.0,
    double WarmupFraction = 3.0 / 33.0,
    int BatchSize = 512,
    double CropSeconds = 10.0)
{
    /// <summary>Decoder blocks in Swin mode: the release builds range(16) regardless of decoder_depth.</summary>
    public const int SwinDecoderDepth = 16;

    /// <summary>Heads of the Swin decoder blocks: the release passes num_heads=16 regardless of decoder_num_heads.</summary>
    public const int SwinDecoderHeads = 16;

    /// <summary>The released AudioSet-2M pre-training run (submit_pretrain_audioset2M.sh).</summary>
    public static AudioMaePretrainConfig Release { get; } = new();

    /// <summary>main_pretrain.py's argparse defaults where the script does not override them (blr 1e-3, weight decay 0.05).</summary>
    public static AudioMaePretrainConfig ArgparseDefaults { get; } = new(BaseLearningRate: 1e-3, WeightDecay: 0.05);

    /// <summary>A tiny model for teaching runs and tests: 64 x 32 fbank in 8 x 8 patches (an 8 x 4 grid), width 32, 2 blocks.</summary>
    public static AudioMaePretrainConfig Toy { get; } = new(
        Encoder: EncoderPreset with { TargetLength = 64, NumMelBins = 32, PatchSize = 8, EmbedDim = 32, Depth = 2, NumHeads = 4 },
        DecoderEmbedDim: 32, DecoderDepth: 2, DecoderNumHeads: 4, WindowTime: 2, WindowFreq: 2, ShiftTime: 1,
        MetaHiddenDim: 16, BatchSize: 4, BaseLearningRate: 0.05, WarmupFraction: 0.05, CropSeconds: 0.66);

    /// <summary>The encoder of pre-training: the models_mae layout (final `norm`), AudioSet-normalised 16 kHz fbank.</summary>
    public static AudioMaeConfig EncoderPreset => AudioMaeConfig.OriginalPretrained;

    public AudioMaeConfig EncoderConfig => Encoder ?? EncoderPreset;

    /// <summary>The decoder's block shape as an AudioMaeConfig (same grid, decoder width and heads).</summary>
    public AudioMaeConfig DecoderBlockConfig => EncoderConfig with { EmbedDim = DecoderEmbedDim, NumHeads = DecoderNumHeads };

    public int DecoderBlocks => DecoderMode == AudioMaeDecoderMode.SwinLocal ? SwinDecoderDepth : DecoderDepth;

    public int CropSamples => (int)Math.Round(CropSeconds * EncoderConfig.SampleRate);

    /// <summary>Absolute peak learning rate: blr x batch / 256 (main_pretrain.py).</summary>
    public double PeakLearningRate(int effectiveBatch) => BaseLearningRate * effectiveBatch / 256.0;

    internal void Validate()
    {
        var e = EncoderConfig;
        if (e.Checkpoint != AudioMaeCheckpoint.Pretrained)
            throw new ArgumentException("pre-training needs the Pretrained (models_mae) encoder layout: its final `norm` is part of the objective");
        if (MaskRatio is <= 0 or >= 1) throw new ArgumentException($"MaskRatio must be in (0, 1), got {MaskRatio}");
        if (MaskTimeProb is < 0 or >= 1 || MaskFreqProb is < 0 or >= 1)
            throw new ArgumentException($"MaskTimeProb {MaskTimeProb} and MaskFreqProb {MaskFreqProb} must be in [0, 1)");
        if (DecoderEmbedDim % DecoderNumHeads != 0) throw new ArgumentException($"DecoderEmbedDim {DecoderEmbedDim} is not divisible by DecoderNumHeads {DecoderNumHeads}");
        if (DecoderEmbedDim % 4 != 0) throw new ArgumentException($"DecoderEmbedDim {DecoderEmbedDim} must be a multiple of 4 (2-D sin-cos position embedding)");
        if (DecoderMode == AudioMaeDecoderMode.SwinLocal)
        {
            var (wt, wf) = (Math.Min(WindowTime, e.GridTime), Math.Min(WindowFreq, e.GridFreq));
            if (e.GridTime % wt != 0 || e.GridFreq % wf != 0)
                throw new ArgumentException($"the {e.GridTime} x {e.GridFreq} patch grid must be tiled by the {wt} x {wf} Swin window");
        }
        if (WarmupFraction is < 0 or >= 1) throw new ArgumentException($"WarmupFraction must be in [0, 1), got {WarmupFraction}");
        if (CropSeconds <= 0) throw new ArgumentException($"CropSeconds must be positive, got {CropSeconds}");
    }
}
