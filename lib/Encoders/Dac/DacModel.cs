namespace PianoJudges.Encoders.Dac;

using TorchSharp;
using static TorchSharp.torch;

#pragma warning disable IDE1006

/// <summary>
/// The encoding half of DAC: `encoder` and `quantizer`, named as in the release so that its state_dict keys
/// (encoder.block.N..., quantizer.quantizers.N.{in_proj,out_proj,codebook}...) load by name; decoder.* is ignored.
/// </summary>
public sealed class DacModel : nn.Module<Tensor, Tensor>
{
    private readonly DacEncoderNet encoder;
    private readonly DacResidualVectorQuantize quantizer;
    private readonly DacConfig config;

    public DacModel(DacConfig config) : base(nameof(DacModel))
    {
        config.Validate();
        this.config = config;
        encoder = new DacEncoderNet(config);
        quantizer = new DacResidualVectorQuantize(config);
        RegisterComponents();
    }

    public DacConfig Config => config;
    public DacEncoderNet EncoderNet => encoder;

    /// <summary>(B, 1, T) audio -> quantised latent z (B, Latent, ceil(T / hop)); the audio is right-padded to a hop multiple first (DAC.preprocess).</summary>
    public override Tensor forward(Tensor audio) => Encode(audio).z;

    /// <summary>DAC.preprocess + DAC.encode: z (B, Latent, T'), codes (B, NCodebooks, T'), latents (B, NCodebooks * CodebookDim, T') and the unquantised encoder output (B, Latent, T').</summary>
    public (Tensor z, Tensor codes, Tensor latents, Tensor encoded) Encode(Tensor audio)
    {
        if (audio.dim() != 3 || audio.shape[1] != 1)
            throw new ArgumentException($"expected audio (B, 1, T), got ({string.Join(", ", audio.shape)})");
        using var scope = NewDisposeScope();
        long length = audio.shape[^1];
        long rightPad = (length + config.HopLength - 1) / config.HopLength * config.HopLength - length;
        if (rightPad > 0) audio = nn.functional.pad(audio, [0, rightPad]);
        var encoded = encoder.call(audio);
        var (z, codes, latents) = quantizer.call(encoded);
        return (z.MoveToOuterDisposeScope(), codes.MoveToOuterDisposeScope(), latents.MoveToOuterDisposeScope(), encoded.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Loads a DAC state_dict (the "state_dict" entry of a DAC .pth). Weight-norm parameters may be named either the
    /// old way (weight_g / weight_v) or as torch.nn.utils.parametrizations (parametrizations.weight.original0 / original1);
    /// decoder.* keys are skipped; a missing encoder/quantizer key or a shape mismatch is an error naming the key.
    /// </summary>
    public void LoadCheckpoint(IReadOnlyDictionary<string, Tensor> stateDict, string source)
    {
        var own = state_dict();
        var selected = new Dictionary<string, Tensor>();
        foreach (var (rawKey, value) in stateDict)
        {
            string key = NormaliseKey(rawKey);
            if (key.StartsWith("decoder.", StringComparison.Ordinal)) continue;
            if (!own.TryGetValue(key, out var mine))
                throw new InvalidDataException($"{source}: unexpected key '{rawKey}' for the DAC encoder");
            if (!mine.shape.SequenceEqual(value.shape))
                throw new InvalidDataException($"{source}: '{rawKey}' has shape ({string.Join(", ", value.shape)}), the model expects ({string.Join(", ", mine.shape)})");
            selected[key] = value;
        }
        var missing = own.Keys.Where(k => !selected.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{source}: not a DAC checkpoint for this config; missing {string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? $" (+{missing.Count - 8} more)" : "")}");
        load_state_dict(selected, strict: true);
    }

    /// <summary>Maps parametrizations-style weight-norm keys to weight_g / weight_v; other keys are returned unchanged.</summary>
    public static string NormaliseKey(string key) => key
        .Replace(".parametrizations.weight.original0", ".weight_g", StringComparison.Ordinal)
        .Replace(".parametrizations.weight.original1", ".weight_v", StringComparison.Ordinal);
}
