namespace PianoJudges.Tests.FineTuning;

using PianoJudges.Audio;
using PianoJudges.FineTuning.Dac;
using static TorchSharp.torch;

public class DacTransformsTests
{
    public DacTransformsTests() => FineTuningTestSetup.Initialise();

    private static float[] Sine(int n, int rate, double hz, double amplitude, double phase = 0) =>
        Enumerable.Range(0, n).Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / rate + phase))).ToArray();

    [Fact]
    public void ShiftPhaseRotatesEverySinusoidByTheAngle()
    {
        const int rate = 8000, n = 2048;
        Assert.Equal(256, DacTransforms.PhaseShiftWindow(rate));
        Assert.Equal(2048, DacTransforms.PhaseShiftWindow(44100));
        double[] angles = [0.0, Math.PI / 2, Math.PI, -1.0];
        var x = Sine(n, rate, 437.5, 0.5).Concat(Sine(n, rate, 437.5, 0.5)).Concat(Sine(n, rate, 437.5, 0.5)).Concat(Sine(n, rate, 437.5, 0.5)).ToArray();
        using var shifted = DacTransforms.ShiftPhase(tensor(x, [4, 1, n]), angles, rate);
        Assert.Equal(new long[] { 4, 1, n }, shifted.shape);
        var y = shifted.data<float>().ToArray();
        // Angle 0 gives the input back, edges included (centred STFT, window-square overlap-add).
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(y[i] - x[i]) < 1e-5, $"sample {i}: {y[i]} vs {x[i]}");
        // sin(wt) -> sin(wt + angle) away from the reflect-padded edges.
        for (int b = 1; b < 4; b++)
        {
            var expected = Sine(n, rate, 437.5, 0.5, angles[b]);
            double worst = 0;
            for (int i = 256; i < n - 256; i++) worst = Math.Max(worst, Math.Abs(y[b * n + i] - expected[i]));
            Assert.True(worst < 2e-3, $"angle {angles[b]}: max error {worst}");
        }
    }

    [Fact]
    public void ShiftPhaseOfABroadbandSignalKeepsItsEnergyAndChangesTheWaveform()
    {
        const int rate = 8000, n = 4096;
        var rng = new PianoJudges.Data.SplitMix64(4);
        var noise = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var zeroMean = noise.Select(v => v - noise.Average()).ToArray();
        using var y = DacTransforms.ShiftPhase(tensor(zeroMean, [1, n]), [Math.PI], rate);
        var z = y.data<float>().ToArray();
        // A half turn is a sign flip (DC and Nyquist, kept real, are scaled by cos(pi) = -1 too).
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(z[i] + zeroMean[i]) < 1e-4, $"sample {i}");
        using var q = DacTransforms.ShiftPhase(tensor(zeroMean, [1, n]), [Math.PI / 2], rate);
        var w = q.data<float>().ToArray();
        double e0 = zeroMean.Sum(v => (double)v * v), e1 = w.Sum(v => (double)v * v), cross = zeroMean.Zip(w, (a, b) => (double)a * b).Sum();
        Assert.InRange(e1 / e0, 0.9, 1.1);
        Assert.InRange(cross / e0, -0.1, 0.1); // a quarter turn is (nearly) orthogonal: a Hilbert transform
        Assert.Throws<ArgumentException>(() => DacTransforms.ShiftPhase(tensor(zeroMean, [1, n]), [0.0, 1.0], rate));
    }

    [Fact]
    public void VolumeNormReachesTheTargetLoudnessAndRescaleCapsThePeak()
    {
        const int rate = 44100;
        var meter = new LoudnessMeter(rate, LoudnessMeterOptions.Audiotools);
        var x = Sine(16758, rate, 523.25, 0.01);
        double before = DacTransforms.VolumeNorm(x, meter, -16);
        Assert.InRange(before, -48, -40);
        Assert.Equal(-16.0, meter.Integrated(x), 6);
        // Silence reads -70 (the floor): scaled by +54 dB, still silence.
        var silence = new float[16758];
        Assert.Equal(-70.0, DacTransforms.VolumeNorm(silence, meter, -16));
        Assert.All(silence, v => Assert.Equal(0f, v));
        // A dense signal at -16 LUFS may exceed full scale: RescaleAudio brings the peak to 1.
        var loud = Sine(16758, rate, 60, 0.9);
        DacTransforms.VolumeNorm(loud, meter, -3);
        Assert.True(loud.Max(Math.Abs) > 1);
        DacTransforms.RescaleAudio(loud);
        Assert.Equal(1f, loud.Max(Math.Abs), 5);
        var quiet = Sine(100, rate, 440, 0.5);
        DacTransforms.RescaleAudio(quiet);
        Assert.Equal(Sine(100, rate, 440, 0.5), quiet);
    }
}
