namespace PianoJudges.FineTuning.Dac;

using PianoJudges.Encoders.Dac;
using TorchSharp;
using static TorchSharp.torch;

#pragma warning disable IDE1006

/// <summary>
/// The DAC generator as trained: encoder, quantizer, decoder, named as the release's DAC module so that its
/// state_dict keys (encoder.*, quantizer.quantizers.N.*, decoder.model.*) load and save one to one.
/// </summary>
public sealed class DacCodec : nn.Module<Tensor, DacCodecOutput>
{
    private readonly DacEncoderNet encoder;
    private readonly DacResidualVectorQuantize quantizer;
    private readonly DacDecoder decoder;

    public DacCodec(DacTrainingConfig config) : base(nameof(DacCodec))
    {
        config.Validate();
        Config = config;
        var c = config.CodecConfig;
        encoder = new DacEncoderNet(c);
        quantizer = new DacResidualVectorQuantize(c, config.QuantizerDropout);
        decoder = new DacDecoder(c.Latent, config.DecoderDim, config.Decoding);
        RegisterComponents();
        // The release's init_weights zeroes the biases of the Conv1d layers (its trunc_normal_ on a weight-normed
        // conv's derived weight has no lasting effect); the transposed convolutions keep torch's default bias.
        using (no_grad())
        {
            foreach (var (name, p) in named_parameters())
            {
                if (name.EndsWith(".bias", StringComparison.Ordinal) && !IsTransposed(name)) p.zero_();
                p.requires_grad = true; // lib/Encoders builds its modules for inference
            }
        }
    }

    public DacTrainingConfig Config { get; }

    /// <summary>(B, 1, T) audio -> reconstruction (B, 1, T), quantised z, codes and the VQ losses (DAC.forward).</summary>
    public override DacCodecOutput forward(Tensor audio)
    {
        using var scope = NewDisposeScope();
        long length = audio.shape[^1];
        var (z, codes, _, commitment, codebookLoss) = quantizer.call(encoder.call(DacModel.Preprocess(audio, Config.CodecConfig.HopLength)));
        var recon = decoder.call(z).narrow(-1, 0, length);
        return new DacCodecOutput(recon.MoveToOuterDisposeScope(), z.MoveToOuterDisposeScope(), codes.MoveToOuterDisposeScope(),
            commitment.MoveToOuterDisposeScope(), codebookLoss.MoveToOuterDisposeScope());
    }

    private bool IsTransposed(string parameterName)
    {
        string module = parameterName[..parameterName.LastIndexOf('.')];
        return named_modules().Any(m => m.name == module && m.module is WNConvTranspose1d);
    }
}

/// <summary>What <see cref="DacCodec"/> returns: audio (B, 1, T), z (B, latent, T'), codes (B, N, T'), scalar VQ losses.</summary>
public sealed record DacCodecOutput(Tensor Audio, Tensor Z, Tensor Codes, Tensor CommitmentLoss, Tensor CodebookLoss);
