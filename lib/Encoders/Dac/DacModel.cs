namespace PianoJudges.Encoders.Dac;

using PianoJudges.Encoders.Weights;
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
        using var scope = NewDisposeScope();
        var encoded = encoder.call(Preprocess(audio, config.HopLength));
        var (z, codes, latents, _, _) = quantizer.call(encoded);
        return (z.MoveToOuterDisposeScope(), codes.MoveToOuterDisposeScope(), latents.MoveToOuterDisposeScope(), encoded.MoveToOuterDisposeScope());
    }

    /// <summary>DAC.preprocess: (B, 1, T) audio right-padded with zeros to a multiple of <paramref name="hopLength"/> (the input itself when it already is one).</summary>
    public static Tensor Preprocess(Tensor audio, int hopLength)
    {
        if (audio.dim() != 3 || audio.shape[1] != 1)
            throw new ArgumentException($"expected audio (B, 1, T), got ({string.Join(", ", audio.shape)})");
        long length = audio.shape[^1];
        long rightPad = (length + hopLength - 1) / hopLength * hopLength - length;
        return rightPad > 0 ? nn.functional.pad(audio, [0, rightPad]) : audio;
    }

    /// <summary>
    /// Loads a DAC state_dict (the "state_dict" entry of a DAC .pth). Weight-norm parameters may be named either the
    /// old way (weight_g / weight_v) or as torch.nn.utils.parametrizations (parametrizations.weight.original0 / original1);
    /// decoder.* keys are skipped; any other unknown key, a missing key or a shape mismatch is a
    /// <see cref="StateDictMismatchException"/> naming every offending key.
    /// </summary>
    public LoadReport LoadCheckpoint(IReadOnlyDictionary<string, Tensor> stateDict, string source)
    {
        var encoding = stateDict.Where(kv => !kv.Key.StartsWith("decoder.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return StateDictLoader.LoadInto(this, encoding, strict: true, source: source);
    }
}
