namespace PianoJudges.Tests.Encoders;

using PianoJudges.Encoders.AudioMae;
using PianoJudges.Native;
using static TorchSharp.torch;

public class KaldiFbankTests
{
    public KaldiFbankTests() => TorchRuntime.EnsureInitialised();

    /// <summary>Direct formulas in float64: framing, DC removal, pre-emphasis, window, DFT by definition, triangular mel filters, log.</summary>
    private static double[,] Reference(float[] wave, int rate, int bins, bool povey)
    {
        int size = (int)(rate * 0.025), shift = (int)(rate * 0.010), nfft = 1;
        while (nfft < size) nfft *= 2;
        int frames = 1 + (wave.Length - size) / shift;
        double melOf(double f) => 1127.0 * Math.Log(1 + f / 700.0);
        double lo = melOf(20), hi = melOf(rate / 2.0), step = (hi - lo) / (bins + 1);
        var result = new double[frames, bins];
        var frame = new double[size];
        for (int m = 0; m < frames; m++)
        {
            double mean = 0;
            for (int j = 0; j < size; j++) mean += wave[m * shift + j];
            mean /= size;
            for (int j = 0; j < size; j++) frame[j] = wave[m * shift + j] - mean;
            for (int j = size - 1; j >= 0; j--) frame[j] -= 0.97 * frame[Math.Max(0, j - 1)];
            for (int j = 0; j < size; j++)
            {
                double hann = 0.5 - 0.5 * Math.Cos(2 * Math.PI * j / (size - 1));
                frame[j] *= povey ? Math.Pow(hann, 0.85) : hann;
            }
            var power = new double[nfft / 2 + 1];
            for (int k = 0; k <= nfft / 2; k++)
            {
                double re = 0, im = 0;
                for (int j = 0; j < size; j++)
                {
                    double a = -2 * Math.PI * k * j / nfft;
                    re += frame[j] * Math.Cos(a);
                    im += frame[j] * Math.Sin(a);
                }
                power[k] = re * re + im * im;
            }
            for (int b = 0; b < bins; b++)
            {
                double left = lo + b * step, centre = left + step, right = centre + step, e = 0;
                for (int k = 0; k < nfft / 2; k++)
                {
                    double mel = melOf(k * (double)rate / nfft);
                    if (mel > left && mel < right)
                        e += power[k] * (mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre));
                }
                result[m, b] = Math.Log(Math.Max(e, 1.1920928955078125e-07));
            }
        }
        return result;
    }

    private static float[] TestWave(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++)
            x[i] = (float)(0.3 * Math.Sin(i * 0.05) + 0.1 * (rng.NextDouble() - 0.5) + 0.02);
        for (int i = n / 3; i < n / 2; i++) x[i] = 0f;
        return x;
    }

    [Theory]
    [InlineData(16000, 128, false)]
    [InlineData(32000, 128, false)]
    [InlineData(16000, 40, true)]
    public void MatchesDirectFormulasToOneInTenThousand(int rate, int bins, bool povey)
    {
        var wave = TestWave(rate / 2, rate + bins);
        var options = KaldiFbankOptions.AudioMae(rate) with { NumMelBins = bins, WindowType = povey ? KaldiWindow.Povey : KaldiWindow.Hanning };
        using var fbank = KaldiFbank.Compute(wave, options);
        var expected = Reference(wave, rate, bins, povey);
        Assert.Equal(new long[] { expected.GetLength(0), bins }, fbank.shape);
        var actual = fbank.data<float>().ToArray();
        double worst = 0;
        for (int m = 0; m < expected.GetLength(0); m++)
        for (int b = 0; b < bins; b++)
            worst = Math.Max(worst, Math.Abs(actual[m * bins + b] - expected[m, b]) / Math.Max(1, Math.Abs(expected[m, b])));
        Assert.True(worst < 1e-4, $"largest relative error {worst:E2}");
        // A frame inside the silent stretch hits the epsilon floor exactly.
        int silent = (wave.Length / 3 + options.WindowShift - 1) / options.WindowShift;
        Assert.True(silent * options.WindowShift + options.WindowSize <= wave.Length / 2);
        Assert.Equal(Math.Log(KaldiFbank.Float32Epsilon), actual[silent * bins], 4);
    }

    [Theory]
    [InlineData(16000)]
    [InlineData(32000)]
    public void MatchesTorchaudioGolden(int rate)
    {
        // Produced by tools/parity/kaldi_fbank_golden.py with torchaudio 0.13.1's compliance.kaldi.fbank.
        var golden = new ParityFixture("AudioMae", "kaldi_fbank_golden.safetensors");
        using var scope = NewDisposeScope();
        var fbank = KaldiFbank.Compute(golden.Floats($"wave_{rate}"), KaldiFbankOptions.AudioMae(rate));
        double err = ParityFixture.MaxRelativeError(fbank, golden.Tensor($"fbank_{rate}"));
        Assert.True(err < 1e-4, $"largest relative error vs torchaudio {err:E2}");
    }

    [Fact]
    public void AudioMaeGeometryAtBothRates()
    {
        var at16 = KaldiFbankOptions.AudioMae(16000);
        var at32 = KaldiFbankOptions.AudioMae(32000);
        Assert.Equal((400, 160, 512), (at16.WindowSize, at16.WindowShift, at16.PaddedWindowSize));
        Assert.Equal((800, 320, 1024), (at32.WindowSize, at32.WindowShift, at32.PaddedWindowSize));
        // 10 s: 998 frames at either rate, so 26 rows of the 1024-frame image are padding.
        Assert.Equal(998, at16.FrameCount(160000));
        Assert.Equal(998, at32.FrameCount(320000));
        Assert.Equal(0, at16.FrameCount(399));
    }

    [Fact]
    public void MelBanksAreTrianglesBetweenTwentyHertzAndNyquist()
    {
        var banks = KaldiFbank.MelBanks(KaldiFbankOptions.AudioMae(16000));
        Assert.Equal(128, banks.GetLength(0));
        Assert.Equal(257, banks.GetLength(1));
        for (int b = 0; b < 128; b++)
        {
            Assert.Equal(0f, banks[b, 256]); // Kaldi leaves the Nyquist bin out
            double peak = Enumerable.Range(0, 257).Max(k => banks[b, k]);
            Assert.InRange(peak, 0.0, 1.0);
        }
        Assert.Equal(0f, banks[0, 0]); // 0 Hz lies below low_freq = 20 Hz
    }

    [Fact]
    public void ShortInputGivesNoFramesAndBadOptionsAreNamed()
    {
        using var empty = KaldiFbank.Compute(new float[100], KaldiFbankOptions.AudioMae(16000));
        Assert.Equal(new long[] { 0, 128 }, empty.shape);
        var e = Assert.Throws<ArgumentException>(() => KaldiFbank.Compute(new float[1000], KaldiFbankOptions.AudioMae(16000) with { LowFreq = 9000 }));
        Assert.Contains("LowFreq 9000", e.Message);
    }
}
