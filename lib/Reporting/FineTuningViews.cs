namespace PianoJudges.Reporting;

using PianoJudges.Encoders;
using PianoJudges.Encoders.AudioMae;
using PianoJudges.FineTuning.AudioMae;
using PianoJudges.FineTuning.Dac;
using static TorchSharp.torch;

/// <summary>
/// One clip through a trained Audio-MAE masked autoencoder, as (frames x bins) fbank images: the original, the mask per
/// pixel (1 = hidden), the masked input (hidden pixels NaN, drawn blank) and the reconstruction (visible patches from the
/// input, hidden ones predicted, de-normalised per patch when the loss normalises its targets, as MAE's own demo does).
/// </summary>
[TypeFormatterSource(typeof(NotebookHtmlFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed record MaskedReconstruction(float[,] Original, float[,] Mask, float[,] Masked, float[,] Reconstruction,
    int MaskedPatches, int Patches, double FramesPerSecond) : INotebookHtml
{
    /// <summary>Hidden patches / all patches: the configured mask ratio, rounded to whole patches.</summary>
    public double MaskedFraction => (double)MaskedPatches / Patches;

    /// <summary>Masked input, reconstruction and original, one heatmap each.</summary>
    public IReadOnlyList<ChartView> Charts() =>
    [
        Reporting.Charts.Spectrogram(Masked, FramesPerSecond, $"Masked input ({MaskedPatches} of {Patches} patches hidden)", "fbank bin", "normalised", timeMajor: true),
        Reporting.Charts.Spectrogram(Reconstruction, FramesPerSecond, "Reconstruction (hidden patches predicted)", "fbank bin", "normalised", timeMajor: true),
        Reporting.Charts.Spectrogram(Original, FramesPerSecond, "Original", "fbank bin", "normalised", timeMajor: true),
    ];

    public string ToNotebookHtml() => string.Concat(Charts().Select(c => c.ToNotebookHtml()));
}

/// <summary>One clip through a codec: the original and decoded waveforms at <paramref name="SampleRate"/>, equal lengths.</summary>
[TypeFormatterSource(typeof(NotebookHtmlFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed record CodecRoundTrip(float[] Original, float[] Decoded, int SampleRate) : INotebookHtml
{
    /// <summary>A log-mel view suited to the rate (about 32 ms windows, 8 ms hop, 64 bands).</summary>
    public MelSpectrogramOptions MelOptions
    {
        get
        {
            int nFft = (int)Math.Pow(2, Math.Round(Math.Log2(SampleRate * 0.032)));
            return new MelSpectrogramOptions(SampleRate: SampleRate, NFft: nFft, HopLength: nFft / 4, NMels: Math.Min(64, nFft / 4), Log: SpectrogramLog.Db);
        }
    }

    /// <summary>Root-mean-square of decoded - original.</summary>
    public double ErrorRms => Math.Sqrt(Original.Zip(Decoded, (a, b) => (double)(a - b) * (a - b)).Average());

    /// <summary>Two players (original, decoded) and their two mel spectrograms.</summary>
    public IReadOnlyList<INotebookHtml> Views()
    {
        var mel = new MelSpectrogram(MelOptions);
        return
        [
            AudioPlayer.From(Original, SampleRate, "original"),
            AudioPlayer.From(Decoded, SampleRate, "decoded (encoder -> quantiser -> decoder)"),
            Reporting.Charts.MelSpectrogram(mel.Forward(Original), MelOptions, "Original: mel spectrogram"),
            Reporting.Charts.MelSpectrogram(mel.Forward(Decoded), MelOptions, "Decoded: mel spectrogram"),
        ];
    }

    public string ToNotebookHtml() => string.Concat(Views().Select(v => v.ToNotebookHtml()));
}

/// <summary>What a fine-tuned model does with one clip: Audio-MAE's masked reconstruction, DAC's codec round trip.</summary>
public static class FineTuningViews
{
    /// <summary>
    /// The clip (at least config.CropSamples at 16 kHz; the first crop is used) as the training step sees it without
    /// augmentation (mean removed, normalised fbank), one forward pass with the mask drawn from torch's generator seeded
    /// by <paramref name="seed"/>; images are (TargetLength x NumMelBins).
    /// </summary>
    public static MaskedReconstruction AudioMaeReconstruction(AudioMaeMaskedAutoencoder model, ReadOnlySpan<float> clip, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var config = model.Config;
        var e = config.EncoderConfig;
        if (clip.Length < config.CropSamples)
            throw new ArgumentException($"the clip has {clip.Length} samples; Audio-MAE's crop needs {config.CropSamples}", nameof(clip));
        var x = clip[..config.CropSamples].ToArray();
        double mean = x.Average(v => (double)v);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(x[i] - mean);

        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var device = model.parameters().First().device;
        var image = AudioMaeFrontEnd.Compute(x, e).unsqueeze(0).unsqueeze(0).to(device);
        bool training = model.training;
        model.eval();
        manual_seed(seed);
        var output = model.call(image);
        if (training) model.train();

        var target = model.Patchify(image)[0];
        var prediction = output.Prediction[0];
        if (config.NormPixLoss)
        {
            var m = target.mean([-1], keepdim: true);
            var v = target.var(-1, unbiased: true, keepdim: true);
            prediction = prediction * (v + 1e-6).sqrt() + m;
        }
        var mask = output.Mask[0];
        var recon = target * (1 - mask).unsqueeze(-1) + prediction * mask.unsqueeze(-1);

        int p = e.PatchSize, gridF = e.NumMelBins / p;
        float[] Floats(Tensor t) => t.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        var targetData = Floats(target);
        var reconData = Floats(recon);
        var maskData = Floats(mask);
        int frames = e.TargetLength, bins = e.NumMelBins, patchPixels = p * p;
        var original = new float[frames, bins];
        var masked = new float[frames, bins];
        var reconstruction = new float[frames, bins];
        var maskImage = new float[frames, bins];
        for (int l = 0; l < maskData.Length; l++)
        {
            int row = l / gridF, col = l % gridF;
            for (int k = 0; k < patchPixels; k++)
            {
                // Patchify is time-major: patch l = (row, col) of the grid, pixel k = (k / p, k % p) inside it.
                int t = row * p + k / p, f = col * p + k % p;
                float value = targetData[l * patchPixels + k];
                original[t, f] = value;
                reconstruction[t, f] = reconData[l * patchPixels + k];
                maskImage[t, f] = maskData[l];
                masked[t, f] = maskData[l] > 0.5f ? float.NaN : value;
            }
        }
        int hidden = maskData.Count(v => v > 0.5f);
        return new MaskedReconstruction(original, maskImage, masked, reconstruction, hidden, maskData.Length, 1000.0 / e.Fbank.FrameShift);
    }

    /// <summary>The clip (T samples at the codec's rate) encoded, quantised and decoded: decoded has T samples.</summary>
    public static CodecRoundTrip DacRoundTrip(DacCodec codec, float[] clip)
    {
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentNullException.ThrowIfNull(clip);
        if (clip.Length == 0) throw new ArgumentException("an empty clip", nameof(clip));
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var device = codec.parameters().First().device;
        bool training = codec.training;
        codec.eval();
        var output = codec.call(tensor(clip).reshape(1, 1, clip.Length).to(device));
        if (training) codec.train();
        var decoded = output.Audio.reshape(-1).cpu().contiguous().data<float>().ToArray();
        return new CodecRoundTrip(clip, decoded, codec.Config.CodecConfig.SampleRate);
    }
}
