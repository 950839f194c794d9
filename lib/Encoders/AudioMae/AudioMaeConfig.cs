namespace PianoJudges.Encoders.AudioMae;

/// <summary>Which Audio-MAE checkpoint's key layout the model takes (the encoder weights are named alike).</summary>
public enum AudioMaeCheckpoint
{
    /// <summary>Self-supervised AudioSet-2M pre-training (models_mae): encoder keys plus a final `norm`; decoder_* and mask_token are ignored.</summary>
    Pretrained,
    /// <summary>AudioSet fine-tuned classifier (models_vit, global_pool): `fc_norm` and `head` instead of `norm`. The paper's released code loads this one.</summary>
    FineTuned,
}

/// <summary>Where the 512 patch tokens are read.</summary>
public enum AudioMaeTokenOutput
{
    /// <summary>The last transformer block's output, no final norm.</summary>
    Blocks,
    /// <summary>After the pre-trained checkpoint's final LayerNorm `norm` (the MAE encoder's own output); needs <see cref="AudioMaeCheckpoint.Pretrained"/>.</summary>
    Norm,
    /// <summary>After the fine-tuned checkpoint's `fc_norm`, applied per token (it was trained on the pooled token mean); needs <see cref="AudioMaeCheckpoint.FineTuned"/>.</summary>
    FcNorm,
}

/// <summary>Normalisation of the log-mel fbank before the ViT: (fbank - mean) / (2 std), as the Audio-MAE dataset loader does.</summary>
/// <param name="Mean">Dataset mean of the fbank.</param>
/// <param name="Std">Dataset standard deviation (the loader divides by twice it).</param>
public sealed record FbankNormalisation(double Mean, double Std)
{
    /// <summary>The original release's AudioSet statistics (main_finetune_as.py norm_stats['audioset']).</summary>
    public static FbankNormalisation AudioSet { get; } = new(-4.2677393, 4.5689974);

    /// <summary>The paper's wrapper config (scripts/audiomae_wrapper.py audio_config), which its pipeline never applied.</summary>
    public static FbankNormalisation PianoJudgesWrapper { get; } = new(-5.081, 4.4849);
}

/// <summary>
/// Audio-MAE ViT-B/16 over a 1024 x 128 Kaldi fbank (Huang et al., "Masked Autoencoders that Listen", NeurIPS 2022).
/// Defaults are the original release's; <see cref="PaperFaithful"/> is what the paper's released code ran.
/// </summary>
/// <param name="SampleRate">Audio rate the fbank is computed at: 16000 in the original release, 32000 in the paper's code.</param>
/// <param name="Normalisation">Fbank normalisation; null = none (the paper's released pipeline).</param>
/// <param name="PeakNormalise">When set, each segment is made zero-mean and scaled to this peak before the fbank (the paper's loader: 0.5).</param>
/// <param name="RoundFbankToHalf">Round the fbank to float16 and back (the paper's code cast it to fp16 and added it into an fp32 buffer).</param>
/// <param name="Checkpoint">Key layout of the weights.</param>
/// <param name="TokenOutput">Where the patch tokens are read.</param>
/// <param name="TargetLength">Fbank frames fed to the ViT (cut or zero-padded to this).</param>
/// <param name="NumMelBins">Fbank bins (the ViT image width).</param>
/// <param name="PatchSize">Square patch side and stride (non-overlapping).</param>
/// <param name="EmbedDim">Token width.</param>
/// <param name="Depth">Transformer blocks.</param>
/// <param name="NumHeads">Attention heads.</param>
/// <param name="MlpRatio">MLP hidden width / EmbedDim.</param>
/// <param name="LayerNormEps">LayerNorm epsilon (timm ViT: 1e-6).</param>
public sealed record AudioMaeConfig(
    int SampleRate = 16000,
    FbankNormalisation? Normalisation = null,
    double? PeakNormalise = null,
    bool RoundFbankToHalf = false,
    AudioMaeCheckpoint Checkpoint = AudioMaeCheckpoint.FineTuned,
    AudioMaeTokenOutput TokenOutput = AudioMaeTokenOutput.Blocks,
    int TargetLength = 1024,
    int NumMelBins = 128,
    int PatchSize = 16,
    int EmbedDim = 768,
    int Depth = 12,
    int NumHeads = 12,
    int MlpRatio = 4,
    double LayerNormEps = 1e-6)
{
    /// <summary>
    /// Corrected default: the paper's choice of checkpoint (AudioSet fine-tuned) fed as the model was trained:
    /// 16 kHz fbank normalised with the AudioSet statistics.
    /// </summary>
    public static AudioMaeConfig Paper { get; } = new(Normalisation: FbankNormalisation.AudioSet);

    /// <summary>
    /// The paper's released code (scripts/audio_processor.py _fbankProcessor, scripts/audiomae_wrapper.py): 32 kHz
    /// fbank (the processor's default rate), each segment zero-meaned and peak-normalised to 0.5, no fbank
    /// normalisation (the wrapper's mean/std, -5.081 / 4.4849, are never applied: its preprocess_audio is not called),
    /// the fbank cast to fp16 and added into an fp32 buffer (so only rounded; the model stays fp32), fine-tuned checkpoint.
    /// The wrapper reads output["patch_embedding"] from a models_vit that is not in the authors' repository; the
    /// fine-tuned model has no final `norm` (global_pool deletes it), so the tokens are taken after the last block
    /// (<see cref="AudioMaeTokenOutput.Blocks"/>); <see cref="AudioMaeTokenOutput.FcNorm"/> is the one alternative that file could have used.
    /// Not reproducible from mono segments: torchaudio's kaldi.fbank reads only the first channel of a stereo file.
    /// </summary>
    public static AudioMaeConfig PaperFaithful { get; } = new(SampleRate: 32000, PeakNormalise: 0.5, RoundFbankToHalf: true);

    /// <summary>The original release's pre-trained encoder as the MAE paper reads it (after `norm`), AudioSet-normalised 16 kHz input.</summary>
    public static AudioMaeConfig OriginalPretrained { get; } =
        new(Normalisation: FbankNormalisation.AudioSet, Checkpoint: AudioMaeCheckpoint.Pretrained, TokenOutput: AudioMaeTokenOutput.Norm);

    /// <summary>Patches along time (1024 / 16 = 64).</summary>
    public int GridTime => TargetLength / PatchSize;
    /// <summary>Patches along frequency (128 / 16 = 8).</summary>
    public int GridFreq => NumMelBins / PatchSize;
    /// <summary>Patch tokens per segment (512).</summary>
    public int NumPatches => GridTime * GridFreq;

    public KaldiFbankOptions Fbank => KaldiFbankOptions.AudioMae(SampleRate) with { NumMelBins = NumMelBins };

    internal void Validate()
    {
        if (TargetLength % PatchSize != 0 || NumMelBins % PatchSize != 0)
            throw new ArgumentException($"TargetLength {TargetLength} and NumMelBins {NumMelBins} must be multiples of PatchSize {PatchSize}");
        if (EmbedDim % NumHeads != 0) throw new ArgumentException($"EmbedDim {EmbedDim} is not divisible by NumHeads {NumHeads}");
        if (EmbedDim % 4 != 0) throw new ArgumentException($"EmbedDim {EmbedDim} must be a multiple of 4 for the 2-D sin-cos position embedding");
        if (TokenOutput == AudioMaeTokenOutput.Norm && Checkpoint != AudioMaeCheckpoint.Pretrained)
            throw new ArgumentException("TokenOutput Norm needs the Pretrained checkpoint layout (the fine-tuned model has no `norm`)");
        if (TokenOutput == AudioMaeTokenOutput.FcNorm && Checkpoint != AudioMaeCheckpoint.FineTuned)
            throw new ArgumentException("TokenOutput FcNorm needs the FineTuned checkpoint layout (only it has `fc_norm`)");
        if (PeakNormalise is <= 0) throw new ArgumentException($"PeakNormalise must be positive, got {PeakNormalise}");
    }
}
