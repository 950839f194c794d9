namespace PianoJudges.Encoders.Mert;

using System.Text.Json;

/// <summary>How the convolutional feature encoder normalises (Hugging Face's feat_extract_norm).</summary>
public enum MertFeatExtractNorm
{
    /// <summary>"group": a GroupNorm with one group per channel after the first convolution only.</summary>
    Group,
    /// <summary>"layer": a LayerNorm over channels after every convolution.</summary>
    Layer,
}

/// <summary>
/// The architecture of a MERT model (a HuBERT-style encoder), named after the fields of the
/// released Hugging Face config.json (configuration_MERT.MERTConfig). Presets hold the values of
/// m-a-p/MERT-v1-95M and m-a-p/MERT-v1-330M; <see cref="FromJson"/> reads any config.json.
/// </summary>
public sealed record MertConfig
{
    public string ModelId { get; init; } = "m-a-p/MERT-v1-330M";
    public int HiddenSize { get; init; } = 1024;
    public int NumHiddenLayers { get; init; } = 24;
    public int NumAttentionHeads { get; init; } = 16;
    public int IntermediateSize { get; init; } = 4096;
    public IReadOnlyList<int> ConvDim { get; init; } = [512, 512, 512, 512, 512, 512, 512];
    public IReadOnlyList<int> ConvKernel { get; init; } = [10, 3, 3, 3, 3, 2, 2];
    public IReadOnlyList<int> ConvStride { get; init; } = [5, 2, 2, 2, 2, 2, 2];
    public bool ConvBias { get; init; }
    public MertFeatExtractNorm FeatExtractNorm { get; init; } = MertFeatExtractNorm.Group;
    /// <summary>A LayerNorm before the feature projection (MERT's addition to HuBERT; true in v1).</summary>
    public bool FeatProjLayerNorm { get; init; } = true;
    /// <summary>Pre-norm transformer layers and a final LayerNorm (HubertEncoderStableLayerNorm) rather than post-norm.</summary>
    public bool DoStableLayerNorm { get; init; } = true;
    public int NumConvPosEmbeddings { get; init; } = 128;
    public int NumConvPosEmbeddingGroups { get; init; } = 16;
    public double LayerNormEps { get; init; } = 1e-5;
    public int SampleRate { get; init; } = 24000;
    /// <summary>DeepNorm residual scaling (2N)^(1/4) in post-norm layers; false in v1.</summary>
    public bool Deepnorm { get; init; }
    /// <summary>
    /// MERT's "attention relax" (32 in the 330M config): it subtracts each row's maximum before the
    /// softmax, which leaves the softmax unchanged, and the stable-layer-norm encoder the 330M model
    /// uses never applies it. Kept for the record; it does not change the computation.
    /// </summary>
    public double AttentionRelax { get; init; } = -1;
    /// <summary>Whether the checkpoint holds masked_spec_embed (saved when mask_time_prob or mask_feature_prob &gt; 0; unused at inference).</summary>
    public bool HasMaskedSpecEmbed { get; init; } = true;

    /// <summary>m-a-p/MERT-v1-330M: 24 pre-norm layers of width 1024 (the paper's MERT).</summary>
    public static MertConfig Mert330M { get; } = new();

    /// <summary>m-a-p/MERT-v1-95M: 12 post-norm layers of width 768.</summary>
    public static MertConfig Mert95M { get; } = new()
    {
        ModelId = "m-a-p/MERT-v1-95M",
        HiddenSize = 768,
        NumHiddenLayers = 12,
        NumAttentionHeads = 12,
        IntermediateSize = 3072,
        DoStableLayerNorm = false,
    };

    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>Frames the feature encoder makes of <paramref name="samples"/> samples (each convolution: floor((L - kernel) / stride) + 1).</summary>
    public int FrameCount(long samples)
    {
        long l = samples;
        for (int i = 0; i < ConvKernel.Count; i++)
        {
            if (l < ConvKernel[i]) return 0;
            l = (l - ConvKernel[i]) / ConvStride[i] + 1;
        }
        return checked((int)l);
    }

    /// <summary>Throws when the values cannot describe a model, quoting the value and what is allowed.</summary>
    public MertConfig Validate()
    {
        if (HiddenSize <= 0 || NumAttentionHeads <= 0 || HiddenSize % NumAttentionHeads != 0)
            throw new ArgumentException($"hidden_size {HiddenSize} must be a positive multiple of num_attention_heads {NumAttentionHeads}");
        if (NumHiddenLayers <= 0 || IntermediateSize <= 0)
            throw new ArgumentException($"num_hidden_layers ({NumHiddenLayers}) and intermediate_size ({IntermediateSize}) must be positive");
        if (ConvDim.Count == 0 || ConvDim.Count != ConvKernel.Count || ConvDim.Count != ConvStride.Count)
            throw new ArgumentException($"conv_dim ({ConvDim.Count}), conv_kernel ({ConvKernel.Count}) and conv_stride ({ConvStride.Count}) must have the same, non-zero length");
        if (ConvDim.Concat(ConvKernel).Concat(ConvStride).Any(v => v <= 0))
            throw new ArgumentException("conv_dim, conv_kernel and conv_stride values must be positive");
        if (HiddenSize % NumConvPosEmbeddingGroups != 0 || NumConvPosEmbeddings <= 0)
            throw new ArgumentException($"hidden_size {HiddenSize} must be divisible by num_conv_pos_embedding_groups {NumConvPosEmbeddingGroups}, and num_conv_pos_embeddings ({NumConvPosEmbeddings}) positive");
        if (Deepnorm && DoStableLayerNorm)
            throw new ArgumentException("deepnorm requires post-layer-norm (do_stable_layer_norm false), as in the released MERT code");
        return this;
    }

    /// <summary>Reads a Hugging Face config.json of a MERT (or HuBERT) model.</summary>
    public static MertConfig FromJson(string path, string? modelId = null)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var r = doc.RootElement;
        int Int(string name, int fallback) => r.TryGetProperty(name, out var v) ? v.GetInt32() : fallback;
        bool Bool(string name, bool fallback) => r.TryGetProperty(name, out var v) ? v.GetBoolean() : fallback;
        double Dbl(string name, double fallback) => r.TryGetProperty(name, out var v) ? v.GetDouble() : fallback;
        int[]? Ints(string name) => r.TryGetProperty(name, out var v) ? v.EnumerateArray().Select(x => x.GetInt32()).ToArray() : null;
        string Str(string name, string fallback) => r.TryGetProperty(name, out var v) ? v.GetString() ?? fallback : fallback;

        if (Bool("feature_extractor_cqt", false))
            throw new NotSupportedException($"{path}: feature_extractor_cqt is true (a MERT variant with a CQT front end); only the v1 waveform front end is supported");
        string act = Str("hidden_act", "gelu"), featAct = Str("feat_extract_activation", "gelu");
        if (act != "gelu" || featAct != "gelu")
            throw new NotSupportedException($"{path}: hidden_act '{act}' / feat_extract_activation '{featAct}'; only 'gelu' is supported");
        string norm = Str("feat_extract_norm", "group");
        var d = new MertConfig();
        try
        {
            return new MertConfig
            {
                ModelId = modelId ?? Str("_name_or_path", d.ModelId),
                HiddenSize = Int("hidden_size", 768),
                NumHiddenLayers = Int("num_hidden_layers", 12),
                NumAttentionHeads = Int("num_attention_heads", 12),
                IntermediateSize = Int("intermediate_size", 3072),
                ConvDim = Ints("conv_dim") ?? d.ConvDim,
                ConvKernel = Ints("conv_kernel") ?? d.ConvKernel,
                ConvStride = Ints("conv_stride") ?? d.ConvStride,
                ConvBias = Bool("conv_bias", false),
                FeatExtractNorm = norm switch
                {
                    "group" => MertFeatExtractNorm.Group,
                    "layer" => MertFeatExtractNorm.Layer,
                    _ => throw new ArgumentException($"feat_extract_norm '{norm}'; allowed: 'group', 'layer'"),
                },
                FeatProjLayerNorm = Bool("feat_proj_layer_norm", true),
                DoStableLayerNorm = Bool("do_stable_layer_norm", false),
                NumConvPosEmbeddings = Int("num_conv_pos_embeddings", 128),
                NumConvPosEmbeddingGroups = Int("num_conv_pos_embedding_groups", 16),
                LayerNormEps = Dbl("layer_norm_eps", 1e-5),
                SampleRate = Int("sample_rate", 24000),
                Deepnorm = Bool("deepnorm", false),
                AttentionRelax = Dbl("attention_relax", -1),
                HasMaskedSpecEmbed = Dbl("mask_time_prob", 0.05) > 0 || Dbl("mask_feature_prob", 0) > 0,
            }.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{path}: {e.Message}", e);
        }
    }
}
