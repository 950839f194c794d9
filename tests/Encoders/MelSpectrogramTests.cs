namespace PianoJudges.Tests.Encoders;

using PianoJudges.Encoders;
using Xunit.Abstractions;

public class MelSpectrogramTests(ITestOutputHelper output)
{
    private const int Rate = 24000;

    /// <summary>Relative tolerance 1e-4; bands that hold only window leakage (below 1e-6 of the frame's largest band)
    /// are compared at 1e-4 of that floor, since float32 carries about 7 significant digits of the frame's energy.</summary>
    private const double RelTol = 1e-4, LeakageFloor = 1e-6;

    /// <summary>The filter weights are the exact formula rounded to float32: a weight may differ by this much (times the
    /// filter's peak), which FilterbankFollowsTheFormulas asserts.</summary>
    private const double WeightTol = 1e-6;

    /// <summary>
    /// Asserts |actual - expected| <= 1e-4 max(|expected|, 1e-6 frame max) + WeightTol * peak weight * (power under the band):
    /// the second term is how far float32 filter weights alone can move a band.
    /// </summary>
    private void AssertClose(MelReference.Result expected, float[] actual, MelReference.Settings s)
    {
        var mel = expected.Mel;
        int total = mel.GetLength(0), nMels = s.NMels, bins = expected.Power.GetLength(1);
        Assert.Equal(total * nMels, actual.Length);
        var corners = MelReference.Corners(s);
        double worst = 0;
        string where = "";
        for (int t = 0; t < total; t++)
        {
            double frameMax = 0;
            for (int m = 0; m < nMels; m++) frameMax = Math.Max(frameMax, Math.Abs(mel[t, m]));
            for (int m = 0; m < nMels; m++)
            {
                double under = 0;
                for (int k = 0; k < bins; k++)
                {
                    double hz = (double)k * (s.SampleRate / 2) / (bins - 1);
                    if (hz > corners[m] - 1 && hz < corners[m + 2] + 1) under += expected.Power[t, k];
                }
                double peak = s.Norm == MelNorm.Slaney ? 2 / (corners[m + 2] - corners[m]) : 1;
                double e = mel[t, m], a = actual[t * nMels + m];
                double allowed = RelTol * Math.Max(Math.Abs(e), LeakageFloor * frameMax) + WeightTol * peak * under;
                double err = allowed == 0 ? (a == 0 ? 0 : double.PositiveInfinity) : Math.Abs(a - e) / allowed;
                if (err > worst) (worst, where) = (err, $"frame {t} mel {m}: expected {e:G9}, got {a:G9}, allowed +-{allowed:G3}");
            }
        }
        output.WriteLine($"worst error {worst:F3} of the allowed at {where}");
        Assert.True(worst <= 1, $"error {worst:F2} times the allowed at {where}");
    }

    private void CheckAgainstReference(float[] signal, MelSpectrogramOptions options)
    {
        var reference = new MelReference.Settings(options.SampleRate, options.NFft, options.EffectiveWinLength, options.HopLength,
            options.FMin, options.FMax, options.NMels, options.Power, options.Center, options.PadMode, options.MelScale, options.Norm);
        var mel = new MelSpectrogram(options);
        AssertClose(MelReference.Compute(signal, reference), mel.Forward(signal), reference);
    }

    [Fact]
    public void NoiseMatchesNaiveDftReference() =>
        CheckAgainstReference(MelReference.Noise(31_234, seed: 7), MelSpectrogramOptions.Paper);

    [Fact]
    public void ChirpMatchesNaiveDftReference() =>
        CheckAgainstReference(MelReference.Chirp(30_000, Rate, 50, 11_500), MelSpectrogramOptions.Paper);

    [Theory]
    [InlineData("slaney-scale")]
    [InlineData("slaney-norm")]
    [InlineData("magnitude")]
    [InlineData("power-1.5")]
    [InlineData("short-window")]
    [InlineData("odd-nfft")]
    [InlineData("nfft-half-odd")]
    [InlineData("nfft-6")]
    [InlineData("nfft-2")]
    [InlineData("no-center")]
    [InlineData("constant-pad")]
    [InlineData("replicate-pad")]
    [InlineData("circular-pad")]
    [InlineData("band-limited")]
    public void OtherSettingsMatchReference(string variant)
    {
        var options = variant switch
        {
            "slaney-scale" => new MelSpectrogramOptions(MelScale: MelScale.Slaney),
            "slaney-norm" => new MelSpectrogramOptions(MelScale: MelScale.Slaney, Norm: MelNorm.Slaney),
            "magnitude" => new MelSpectrogramOptions(Power: 1),
            "power-1.5" => new MelSpectrogramOptions(Power: 1.5),
            "short-window" => new MelSpectrogramOptions(WinLength: 300),
            "odd-nfft" => new MelSpectrogramOptions(NFft: 255, HopLength: 100, NMels: 40),
            "nfft-half-odd" => new MelSpectrogramOptions(NFft: 510, HopLength: 128, NMels: 64),
            "nfft-6" => new MelSpectrogramOptions(NFft: 6, HopLength: 5, NMels: 2),
            "nfft-2" => new MelSpectrogramOptions(NFft: 2, HopLength: 7, NMels: 1),
            "no-center" => new MelSpectrogramOptions(Center: false),
            "constant-pad" => new MelSpectrogramOptions(PadMode: PadMode.Constant),
            "replicate-pad" => new MelSpectrogramOptions(PadMode: PadMode.Replicate),
            "circular-pad" => new MelSpectrogramOptions(PadMode: PadMode.Circular),
            "band-limited" => new MelSpectrogramOptions(SampleRate: 16000, NFft: 512, HopLength: 128, FMin: 30, FMax: 7600, NMels: 80),
            _ => throw new ArgumentException(variant),
        };
        CheckAgainstReference(MelReference.Noise(9_001, seed: 3), options);
    }

    [Fact]
    public void TenSecondsGive1501Frames()
    {
        var mel = new MelSpectrogram();
        Assert.Equal(1501, mel.FrameCount(10 * Rate));
        Assert.Equal(1501 * 128, mel.Forward(new float[10 * Rate]).Length);
    }

    [Fact]
    public void SilenceGivesExactZeros()
    {
        var result = new MelSpectrogram().Forward(new float[10 * Rate]);
        Assert.All(result, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void OneKilohertzToneLandsInTheBandsAroundOneKilohertz()
    {
        var signal = Enumerable.Range(0, Rate).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 1000 * i / Rate))).ToArray();
        var mel = new MelSpectrogram();
        var result = mel.Forward(signal);
        // The filters whose triangle contains 1 kHz, from the HTK formula.
        var corners = MelReference.Corners(new MelReference.Settings());
        var containing = Enumerable.Range(0, 128).Where(m => corners[m] < 1000 && 1000 < corners[m + 2]).ToArray();
        Assert.Equal(2, containing.Length);
        for (int t = 5; t < mel.FrameCount(Rate) - 5; t++)   // frames away from the padded ends
        {
            var frame = result.AsSpan(t * 128, 128).ToArray();
            int argmax = Array.IndexOf(frame, frame.Max());
            Assert.Contains(argmax, containing);
            // Hann leakage spreads the tone over ~4 bins (60 Hz each): all but a trace of energy lies within 180 Hz.
            double near = Enumerable.Range(0, 128).Where(m => corners[m] < 1180 && 820 < corners[m + 2]).Sum(m => (double)frame[m]);
            Assert.True(near / frame.Sum(v => (double)v) > 0.999, $"frame {t}: only {near / frame.Sum(v => (double)v):P3} near 1 kHz");
        }
    }

    [Fact]
    public void ToneEnergyMatchesTheWindowGain()
    {
        // A bin-centred tone A sin(2 pi k0 n / N) has |X_k0| = A/2 sum(w) = A N / 4 for the periodic Hann window,
        // and the Hann window puts |X_k0 +- 1| = A N / 8 into the neighbouring bins.
        const int k0 = 50; // 3 kHz at 60 Hz per bin
        const double amplitude = 0.25;
        var signal = Enumerable.Range(0, Rate).Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * k0 * i / 400.0))).ToArray();
        var options = new MelSpectrogramOptions(NMels: 1, FMin: 0, FMax: 12000);   // one filter: weights known in closed form
        var mel = new MelSpectrogram(options);
        var result = mel.Forward(signal);
        var fb = mel.Filterbank;   // (201, 1)
        double peak = amplitude * 400 / 4, side = amplitude * 400 / 8;
        double expected = fb[k0] * peak * peak + (fb[k0 - 1] + fb[k0 + 1]) * side * side;
        for (int t = 3; t < 140; t++) Assert.Equal(expected, result[t], expected * 1e-4);
    }

    [Fact]
    public void LogAndDbAreElementwiseTransformsOfThePower()
    {
        var signal = MelReference.Noise(12_000, seed: 11);
        signal.AsSpan(0, 4000).Clear(); // some exact zeros, to exercise amin
        var power = new MelSpectrogram().Forward(signal);
        var log = new MelSpectrogram(new MelSpectrogramOptions(Log: SpectrogramLog.Log)).Forward(signal);
        var db = new MelSpectrogram(new MelSpectrogramOptions(Log: SpectrogramLog.Db, Amin: 1e-8)).Forward(signal);
        var magnitudeDb = new MelSpectrogram(new MelSpectrogramOptions(Power: 1, Log: SpectrogramLog.Db)).Forward(signal);
        var magnitude = new MelSpectrogram(new MelSpectrogramOptions(Power: 1)).Forward(signal);
        Assert.Contains(0f, power);
        for (int i = 0; i < power.Length; i++)
        {
            Assert.Equal(Math.Log(Math.Max(power[i], 1e-10)), log[i], 1e-4);
            Assert.Equal(10 * Math.Log10(Math.Max(power[i], 1e-8)), db[i], 1e-3);
            Assert.Equal(20 * Math.Log10(Math.Max(magnitude[i], 1e-10)), magnitudeDb[i], 1e-3);
        }
    }

    [Theory]
    [InlineData(MelScale.Htk, MelNorm.None)]
    [InlineData(MelScale.Slaney, MelNorm.None)]
    [InlineData(MelScale.Slaney, MelNorm.Slaney)]
    public void FilterbankFollowsTheFormulas(MelScale scale, MelNorm norm)
    {
        var mel = new MelSpectrogram(new MelSpectrogramOptions(MelScale: scale, Norm: norm));
        Assert.Equal(201 * 128, mel.Filterbank.Count);
        var settings = new MelReference.Settings(Scale: scale, Norm: norm);
        var expected = MelReference.Filters(201, settings);
        var corners = MelReference.Corners(settings);
        for (int m = 0; m < 128; m++)
        {
            double peak = norm == MelNorm.Slaney ? 2 / (corners[m + 2] - corners[m]) : 1;
            for (int k = 0; k < 201; k++)
                Assert.True(Math.Abs(expected[k, m] - mel.Filterbank[k * 128 + m]) <= WeightTol * peak,
                    $"bin {k} mel {m}: expected {expected[k, m]:G9}, got {mel.Filterbank[k * 128 + m]:G9}");
        }
    }

    [Fact]
    public void LowBandsThatFallBetweenBinsAreEmptyAsInTorchaudio()
    {
        // 128 HTK bands over 0..12 kHz with 60 Hz bins: a low triangle narrower than the bin spacing can miss every bin.
        var fb = new MelSpectrogram().Filterbank;
        var corners = MelReference.Corners(new MelReference.Settings());
        var empty = Enumerable.Range(0, 128).Where(m => Enumerable.Range(0, 201).All(k => fb[k * 128 + m] == 0)).ToArray();
        var expected = Enumerable.Range(0, 128).Where(m => !Enumerable.Range(0, 201).Any(k => corners[m] < 60.0 * k && 60.0 * k < corners[m + 2])).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, empty);
    }

    [Fact]
    public void PartialFramesRequestWritesOnlyThoseFrames()
    {
        var signal = MelReference.Noise(10 * Rate, seed: 5);
        var mel = new MelSpectrogram();
        var all = mel.Forward(signal);
        var first = new float[1500 * 128 + 1];
        first[^1] = 42f;
        mel.Forward(signal, first, 1500);
        Assert.Equal(all.AsSpan(0, 1500 * 128).ToArray(), first.AsSpan(0, 1500 * 128).ToArray());
        Assert.Equal(42f, first[^1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => mel.Forward(signal, new float[1502 * 128], 1502));
    }

    [Theory]
    [InlineData("n_fft", 1)]
    [InlineData("hop_length", 0)]
    [InlineData("win_length", 401)]
    [InlineData("n_mels", 0)]
    [InlineData("power", -1)]
    [InlineData("f_max", 5)]
    public void BadOptionsAreRejectedWithTheirName(string what, double value)
    {
        var options = what switch
        {
            "n_fft" => new MelSpectrogramOptions(NFft: (int)value),
            "hop_length" => new MelSpectrogramOptions(HopLength: (int)value),
            "win_length" => new MelSpectrogramOptions(WinLength: (int)value),
            "n_mels" => new MelSpectrogramOptions(NMels: (int)value),
            "power" => new MelSpectrogramOptions(Power: value),
            _ => new MelSpectrogramOptions(FMin: 10, FMax: value),
        };
        var error = Assert.Throws<ArgumentException>(() => new MelSpectrogram(options));
        Assert.Contains(what, error.Message);
    }

    [Fact]
    public void EmptyWaveformIsRejected() =>
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => new MelSpectrogram().Forward(ReadOnlySpan<float>.Empty)).Message);

    [Fact]
    public void ReflectPaddingNeedsMoreThanHalfAFrame()
    {
        var error = Assert.Throws<ArgumentException>(() => new MelSpectrogram().Forward(new float[200]));
        Assert.Contains("reflect", error.Message);
    }
}
