namespace PianoJudges.Encoders;

/// <summary>
/// One encoder of the paper's Table 1, with what the released code stores per 10 s segment.
/// </summary>
/// <param name="Info">What our encoder produces (sample rate, frame rate, dim, frames per segment): the released code's shapes.</param>
/// <param name="Model">The checkpoint or transform the paper names.</param>
/// <param name="PaperFrameRate">The frame rate Table 1 states, where it differs from what the released code produces (see Note).</param>
/// <param name="Note">Why a number is what it is.</param>
public sealed record EncoderEntry(EncoderInfo Info, string Model, double PaperFrameRate, string Note);

/// <summary>
/// The five encoders of the paper (Table 1) in one place: look up their facts with <see cref="Info"/>,
/// build one with <see cref="Create"/>. Parameter counts are not listed: we do not have the paper's figures to hand.
/// </summary>
public static class EncoderRegistry
{
    public const string Spectrogram = "spectrogram";
    public const string Mert = "mert";
    public const string AudioMae = "audiomae";
    public const string Dac = "dac";
    public const string Jukebox = "jukebox";

    /// <summary>Table 1, in the paper's order.</summary>
    public static IReadOnlyList<EncoderEntry> Entries { get; } =
    [
        new(new(Spectrogram, 24000, 24000 / 160.0, 128, 1500,
                "Mel spectrogram (torchaudio MelSpectrogram: n_fft 400, hop 160, 128 HTK mels, power 2, no log)"),
            "torchaudio.transforms.MelSpectrogram", 100.0,
            "Table 1 says 100 Hz, but the released code's hop of 160 samples at 24 kHz gives 150 frames/s: 1501 frames per 10 s, " +
            "stored as (128 mel, 1500 frames) with the last frame cut."),
        new(new(Mert, 24000, 75.0, 1024, 749,
                "MERT-v1-330M, last hidden state"),
            "m-a-p/MERT-v1-330M", 75.0,
            "749 frames per 10 s, one short of 75 Hz x 10 s (noted by the authors)."),
        new(new(AudioMae, 16000, 51.2, 768, 512,
                "Audio-MAE ViT-B/16 patch embeddings over a 1024-frame Kaldi fbank"),
            "Audio-MAE ViT-B/16", 51.2,
            "The original release expects 16 kHz; the paper's code feeds 32 kHz (its fbank processor's default). " +
            "512 patches per segment."),
        new(new(Dac, 44100, 44100 / 512.0, 1024, 870,
                "Descript Audio Codec 44.1 kHz, quantised latent z"),
            "DAC 44kHz", 44100 / 512.0,
            "Encoded in 1 s chunks of 87 frames (hop 512), 10 chunks concatenated = 870 frames per segment."),
        new(new(Jukebox, 44100, 44100 / 128.0, 64, 3445,
                "Jukebox 5B VQ-VAE, top-level encoder (hop 128)"),
            "Jukebox 5B VQ-VAE (top level)", 44100 / 128.0,
            "3445 frames of 64 per 10 s at 44.1 kHz."),
    ];

    /// <summary>The registry names, in Table 1's order.</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Info.Name).ToArray();

    /// <summary>The full entry for <paramref name="name"/> (case-insensitive).</summary>
    public static EncoderEntry Entry(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Info.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown encoder '{name}'; known encoders: {string.Join(", ", Names)}", nameof(name));

    /// <summary>The Table 1 facts of <paramref name="name"/> (case-insensitive).</summary>
    public static EncoderInfo Info(string name) => Entry(name).Info;

    /// <summary>
    /// Builds the encoder called <paramref name="name"/>. Only the spectrogram exists so far; the pretrained encoders
    /// throw <see cref="NotSupportedException"/> until their weights and ports are available.
    /// </summary>
    /// <param name="spectrogram">Spectrogram settings (null = the paper's).</param>
    public static IAudioEncoder Create(string name, SpectrogramEncoderConfig? spectrogram = null)
    {
        var entry = Entry(name);
        return entry.Info.Name switch
        {
            Spectrogram => new SpectrogramEncoder(spectrogram ?? SpectrogramEncoderConfig.Paper),
            _ => throw new NotSupportedException(
                $"encoder '{entry.Info.Name}' ({entry.Model}): weights/port not available yet; available now: {Spectrogram}"),
        };
    }
}
