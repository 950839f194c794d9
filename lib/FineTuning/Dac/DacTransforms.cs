namespace PianoJudges.FineTuning.Dac;

using PianoJudges.Audio;
using static TorchSharp.torch;

/// <summary>
/// The postprocess stage of DAC's training data (conf/base.yml `build_transform.postprocess`: VolumeNorm, RescaleAudio,
/// ShiftPhase; audiotools data/transforms.py), applied per excerpt in that order.
/// </summary>
public static class DacTransforms
{
    /// <summary>
    /// VolumeNorm (AudioSignal.normalize): scales <paramref name="x"/> in place to <paramref name="targetLufs"/> integrated
    /// loudness, measured as audiotools does (BS.1770 with its RBJ K-weighting, excerpts under 0.5 s zero-padded to 0.5 s,
    /// readings floored at -70 LUFS, so silence gets at most +54 dB).
    /// </summary>
    /// <returns>The loudness measured before scaling (LUFS).</returns>
    public static double VolumeNorm(float[] x, LoudnessMeter meter, double targetLufs)
    {
        double lufs = meter.Integrated(x);
        double gain = LoudnessMeter.NormalisingGain(lufs, targetLufs);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(x[i] * gain);
        return lufs;
    }

    /// <summary>RescaleAudio (ensure_max_of_audio): scales <paramref name="x"/> in place down to a peak of <paramref name="max"/> if it exceeds it.</summary>
    public static void RescaleAudio(float[] x, double max = 1.0)
    {
        double peak = 0;
        foreach (var v in x) peak = Math.Max(peak, Math.Abs(v));
        if (peak <= max) return;
        double gain = max / peak;
        for (int i = 0; i < x.Length; i++) x[i] = (float)(x[i] * gain);
    }

    /// <summary>audiotools' default STFT window for a rate: 2^ceil(log2(0.032 x rate)) samples (2048 at 44.1 kHz), hop a quarter of it.</summary>
    public static int PhaseShiftWindow(int sampleRate) => 1 << (int)Math.Ceiling(Math.Log2(0.032 * sampleRate));

    /// <summary>
    /// ShiftPhase (SpectralTransform + DSPMixin.shift_phase): STFT with audiotools' default parameters (periodic Hann of
    /// <see cref="PhaseShiftWindow"/>, hop window/4, centred with reflect padding), every bin's phase advanced by the item's
    /// angle, inverse STFT (window-square overlap-add) cut to the input length. A sinusoid sin(wt) comes out as sin(wt + angle);
    /// the DC and Nyquist bins, which the inverse real FFT keeps real, are scaled by cos(angle).
    /// </summary>
    /// <param name="audio">(B, 1, T) or (B, T); T must exceed half the window (reflect padding).</param>
    /// <param name="angles">One angle (radians) per item: the release draws uniform(-pi, pi).</param>
    /// <returns>Same shape as <paramref name="audio"/>.</returns>
    public static Tensor ShiftPhase(Tensor audio, IReadOnlyList<double> angles, int sampleRate)
    {
        long batch = audio.shape[0], length = audio.shape[^1];
        if (angles.Count != batch) throw new ArgumentException($"{angles.Count} angles for a batch of {batch}");
        int window = PhaseShiftWindow(sampleRate), hop = window / 4;
        if (length <= window / 2) throw new ArgumentException($"ShiftPhase needs more than {window / 2} samples at {sampleRate} Hz (reflect padding), got {length}");
        using var scope = NewDisposeScope();
        var x = audio.reshape(batch, length);
        var hann = hann_window(window, periodic: true, dtype: x.dtype, device: x.device);
        var spec = stft(x, window, hop, window, hann, center: true, pad_mode: TorchSharp.PaddingModes.Reflect, return_complex: true);
        var theta = tensor(angles.ToArray(), dtype: float64, device: x.device).to(x.dtype).reshape(batch, 1, 1);
        var rotation = polar(ones_like(theta), theta);
        var y = istft(spec * rotation, window, hop, window, hann, center: true, length: length);
        return y.reshape(audio.shape).MoveToOuterDisposeScope();
    }
}
