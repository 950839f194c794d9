namespace PianoJudges.Encoders;

using System.Globalization;
using PianoJudges.Audio;

/// <summary>Settings of the mel-spectrogram baseline encoder.</summary>
/// <param name="Mel">The mel front end (the paper's: <see cref="MelSpectrogramOptions.Paper"/>).</param>
/// <param name="FramesKept">Frames stored per segment: the released code keeps the first 1500 of the 1501 a 10 s segment gives.</param>
public sealed record SpectrogramEncoderConfig(MelSpectrogramOptions Mel, int FramesKept = 1500)
{
    /// <summary>The released code's settings.</summary>
    public static SpectrogramEncoderConfig Paper { get; } = new(MelSpectrogramOptions.Paper);

    public string ToKey() => string.Create(CultureInfo.InvariantCulture, $"{Mel.ToKey()};frames_kept={FramesKept}");
}

/// <summary>
/// The paper's spectrogram baseline: a mel spectrogram of each 10 s segment on its own (centred, reflect-padded at the
/// segment's ends), of which the first <see cref="SpectrogramEncoderConfig.FramesKept"/> frames are kept.
/// <para>
/// Layout: the released code stores each segment as (n_mels 128, frames 1500); our <see cref="Embedding"/> is
/// frame-major (Segments, Frames 1500, Dim 128), i.e. that array transposed, which is the (T, D) the probe head takes.
/// </para>
/// </summary>
public sealed class SpectrogramEncoder : IAudioEncoder
{
    private readonly MelSpectrogram _mel;

    public SpectrogramEncoder(SpectrogramEncoderConfig? config = null)
    {
        Config = config ?? SpectrogramEncoderConfig.Paper;
        if (Config.FramesKept <= 0)
            throw new ArgumentException($"FramesKept must be positive, got {Config.FramesKept}", nameof(config));
        _mel = new MelSpectrogram(Config.Mel);
        var paper = EncoderRegistry.Info(EncoderRegistry.Spectrogram);
        Info = Config.ToKey() == SpectrogramEncoderConfig.Paper.ToKey()
            ? paper
            : new EncoderInfo(EncoderRegistry.Spectrogram, Config.Mel.SampleRate, Config.Mel.FrameRate, Config.Mel.NMels,
                Config.FramesKept, $"Mel spectrogram ({Config.ToKey()})");
    }

    public SpectrogramEncoderConfig Config { get; }

    public EncoderInfo Info { get; }

    public string ConfigKey => $"{EncoderRegistry.Spectrogram};{Config.ToKey()}";

    /// <returns>(Segments, FramesKept, n_mels); Mask[s] is true where segment s holds any real audio.</returns>
    public Embedding Encode(SegmentedAudio audio, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (audio.SampleRate != Config.Mel.SampleRate)
            throw new ArgumentException(
                $"the spectrogram encoder needs audio at {Config.Mel.SampleRate} Hz, got {audio.SampleRate} Hz: resample before segmenting",
                nameof(audio));
        if (audio.ValidSamples.Length != audio.Count)
            throw new ArgumentException($"audio has {audio.Count} segments but {audio.ValidSamples.Length} ValidSamples entries", nameof(audio));

        int frames = Config.FramesKept, dim = Config.Mel.NMels;
        var data = new float[(long)audio.Count * frames * dim];
        var mask = new bool[audio.Count];
        for (int s = 0; s < audio.Count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var segment = audio.Segments[s];
            int available = _mel.FrameCount(segment.Length);
            if (available < frames)
                throw new ArgumentException(
                    $"segment {s} has {segment.Length} samples, which give {available} frames; the encoder keeps {frames} " +
                    $"(10 s segments at {Config.Mel.SampleRate} Hz give {_mel.FrameCount(10 * Config.Mel.SampleRate)})", nameof(audio));
            _mel.Forward(segment, data.AsSpan((int)((long)s * frames * dim), frames * dim), frames);
            mask[s] = audio.ValidSamples[s] > 0;
        }
        return new Embedding(data, audio.Count, frames, dim, mask);
    }
}
