namespace PianoJudges.Tests.Encoders;

using PianoJudges.Encoders;
using PianoJudges.Native;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

/// <summary>
/// Cross-check against libtorch itself: torch.stft (what torchaudio's Spectrogram calls) and torchaudio's
/// melscale_fbanks transcribed line by line into TorchSharp calls, all in float32.
/// torch's float32 filter weights scatter by ~1e-5 around the exact formula (its linspace rounds by CPU vector width),
/// so weights are compared at 3e-5 of the peak and each band is allowed that much of the power under it.
/// </summary>
public class MelTorchCrossCheckTests(ITestOutputHelper output)
{
    private const double WeightTol = 3e-5, RelTol = 1e-4;

    /// <summary>torchaudio.functional.melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm, mel_scale).</summary>
    private static Tensor TorchaudioMelscaleFbanks(int nFreqs, double fMin, double fMax, int nMels, int sampleRate, MelNorm norm, MelScale scale)
    {
        var allFreqs = linspace(0, sampleRate / 2, nFreqs, dtype: ScalarType.Float32);
        double mMin = MelReference.Mel(fMin, scale), mMax = MelReference.Mel(fMax, scale);   // python floats
        var mPts = linspace(mMin, mMax, nMels + 2, dtype: ScalarType.Float32);
        Tensor fPts;
        if (scale == MelScale.Htk)
            fPts = 700.0 * (pow(10.0, mPts / 2595.0) - 1.0);
        else
        {
            double fSp = 200.0 / 3, minLogHz = 1000.0, minLogMel = minLogHz / fSp, logstep = Math.Log(6.4) / 27.0;
            var linear = fSp * mPts;
            var log = minLogHz * exp(logstep * (mPts - minLogMel));
            fPts = where(mPts >= minLogMel, log, linear);
        }
        var fDiff = fPts[TensorIndex.Slice(1)] - fPts[TensorIndex.Slice(null, -1)];
        var slopes = fPts.unsqueeze(0) - allFreqs.unsqueeze(1);
        var downSlopes = (-1.0 * slopes[TensorIndex.Colon, TensorIndex.Slice(null, -2)]) / fDiff[TensorIndex.Slice(null, -1)];
        var upSlopes = slopes[TensorIndex.Colon, TensorIndex.Slice(2)] / fDiff[TensorIndex.Slice(1)];
        var fb = maximum(zeros(1), minimum(downSlopes, upSlopes));
        if (norm == MelNorm.Slaney)
        {
            var enorm = 2.0 / (fPts[TensorIndex.Slice(2, nMels + 2)] - fPts[TensorIndex.Slice(null, nMels)]);
            fb = fb * enorm.unsqueeze(0);
        }
        return fb;
    }

    /// <summary>torchaudio.transforms.MelSpectrogram's forward: (n_mels, frames).</summary>
    private static Tensor TorchaudioMelSpectrogram(float[] signal, MelSpectrogramOptions o, Tensor fb, out Tensor power)
    {
        var window = hann_window(o.EffectiveWinLength, periodic: true, dtype: ScalarType.Float32);
        var spec = stft(tensor(signal), o.NFft, o.HopLength, o.EffectiveWinLength, window, center: o.Center,
            pad_mode: PaddingModes.Reflect, normalized: false, onesided: true, return_complex: true);
        power = spec.abs().pow(o.Power);                         // (n_freqs, frames)
        return matmul(power.transpose(-1, -2), fb).transpose(-1, -2);
    }

    [Theory]
    [InlineData(MelScale.Htk, MelNorm.None)]
    [InlineData(MelScale.Slaney, MelNorm.Slaney)]
    public void FilterbankMatchesTorchaudiosFloat32FilterbankToItsRounding(MelScale scale, MelNorm norm)
    {
        TorchRuntime.EnsureInitialised();
        using var _ = NewDisposeScope();
        var options = new MelSpectrogramOptions(MelScale: scale, Norm: norm);
        var expected = TorchaudioMelscaleFbanks(201, 0, 12000, 128, 24000, norm, scale).contiguous().data<float>().ToArray();
        var actual = new MelSpectrogram(options).Filterbank;
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - (double)a)).Max();
        double peak = expected.Max();
        output.WriteLine($"max |difference| {worst:E2} (largest weight {peak:G4})");
        Assert.True(worst <= WeightTol * peak, $"filterbank differs from torch's by {worst:E2}");
    }

    [Fact]
    public void TenSecondsOfNoiseEqualTorchStftWithTorchaudiosFilterbank()
    {
        TorchRuntime.EnsureInitialised();
        using var _ = NewDisposeScope();
        var options = MelSpectrogramOptions.Paper;
        var signal = MelReference.Noise(240_000, seed: 21);
        var fb = TorchaudioMelscaleFbanks(201, 0, 12000, 128, 24000, MelNorm.None, MelScale.Htk);
        var expected = TorchaudioMelSpectrogram(signal, options, fb, out var power);   // (128, 1501), (201, 1501)
        Assert.Equal(new long[] { 128, 1501 }, expected.shape);
        var expectedFrameMajor = expected.t().contiguous().data<float>().ToArray();
        var powerFrameMajor = power.t().contiguous().data<float>().ToArray();
        var support = fb.gt(0).contiguous().data<bool>().ToArray();   // (201, 128)
        var actual = new MelSpectrogram(options).Forward(signal);
        Assert.Equal(expectedFrameMajor.Length, actual.Length);
        double worst = 0, worstRelative = 0;
        for (int t = 0; t < 1501; t++)
            for (int m = 0; m < 128; m++)
            {
                double under = 0;
                for (int k = Math.Max(0, FirstBin(support, m) - 1); k <= Math.Min(200, LastBin(support, m) + 1); k++) under += powerFrameMajor[t * 201 + k];
                double e = expectedFrameMajor[t * 128 + m], a = actual[t * 128 + m];
                double allowed = RelTol * Math.Abs(e) + WeightTol * under;
                if (allowed == 0) { Assert.Equal(0f, actual[t * 128 + m]); continue; }
                worst = Math.Max(worst, Math.Abs(a - e) / allowed);
                worstRelative = Math.Max(worstRelative, Math.Abs(a - e) / Math.Abs(e));
            }
        output.WriteLine($"worst error {worst:F3} of the allowed; worst relative difference {worstRelative:E2}");
        Assert.True(worst <= 1, $"error {worst:F2} times the allowed");
    }

    private static int FirstBin(bool[] support, int m) => Enumerable.Range(0, 201).FirstOrDefault(k => support[k * 128 + m], 1000);

    private static int LastBin(bool[] support, int m) => Enumerable.Range(0, 201).LastOrDefault(k => support[k * 128 + m], -1000);
}
