namespace PianoJudges.Tests.Audio;

using PianoJudges.Audio;

public class LoudnessMeterTests
{
    /// <summary>A sine whose peak is <paramref name="dbfs"/> dB below full scale.</summary>
    private static float[] Sine(double seconds, int rate, double hz, double dbfs)
    {
        var x = new float[(int)Math.Round(seconds * rate)];
        double a = Math.Pow(10, dbfs / 20);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(a * Math.Sin(2 * Math.PI * hz * i / rate));
        return x;
    }

    /// <summary>Pieces of 1 kHz sine at the given (dBFS, seconds), one after the other (phase continuous).</summary>
    private static float[] Sequence(int rate, params (double dbfs, double seconds)[] parts)
    {
        var x = new List<float>();
        foreach (var (dbfs, seconds) in parts)
        {
            double a = double.IsNegativeInfinity(dbfs) ? 0 : Math.Pow(10, dbfs / 20);
            int start = x.Count;
            for (int i = 0; i < (int)Math.Round(seconds * rate); i++) x.Add((float)(a * Math.Sin(2 * Math.PI * 1000 * (start + i) / rate)));
        }
        return [.. x];
    }

    private static double Stereo(LoudnessMeter meter, float[] x) => meter.Integrated([x, (float[])x.Clone()]);

    [Theory]
    [InlineData(KWeightingDesign.Rbj)]
    [InlineData(KWeightingDesign.DeMan)]
    public void FullScaleSineReadsMinus3Lufs(KWeightingDesign design)
    {
        // BS.1770: a 0 dBFS 1 kHz sine in one channel reads -3.01 LKFS (the -0.691 offsets the K filter's gain there).
        // The RBJ filters (pyloudnorm's default) have 0.04 dB less gain at 1 kHz than BS.1770's: -3.045.
        var meter = new LoudnessMeter(48000, new LoudnessMeterOptions(Filter: design));
        double tolerance = design == KWeightingDesign.DeMan ? 0.01 : 0.05;
        Assert.InRange(meter.Integrated(Sine(5, 48000, 1000, 0)), -3.01 - tolerance, -3.01 + tolerance);
    }

    [Theory]
    [InlineData(KWeightingDesign.Rbj, 48000)]
    [InlineData(KWeightingDesign.DeMan, 48000)]
    [InlineData(KWeightingDesign.Rbj, 44100)]
    [InlineData(KWeightingDesign.Rbj, 16000)]
    public void EbuTech3341MinimumRequirements(KWeightingDesign design, int rate)
    {
        // EBU Tech 3341 (2016) table 1, cases 1-5 (stereo 1 kHz tones, each channel at the level given) and case 6 (5 channels):
        // every case must read its stated value within +/- 0.1 LU.
        var meter = new LoudnessMeter(rate, new LoudnessMeterOptions(Filter: design));
        Assert.InRange(Stereo(meter, Sine(20, rate, 1000, -23)), -23.1, -22.9);
        Assert.InRange(Stereo(meter, Sine(20, rate, 1000, -33)), -33.1, -32.9);
        // Case 3: the -36 dBFS parts lie more than 10 LU below the rest: the relative gate drops them.
        Assert.InRange(Stereo(meter, Sequence(rate, (-36, 10), (-23, 60), (-36, 10))), -23.1, -22.9);
        // Case 4: -72 dBFS parts are under the absolute gate, -36 dBFS ones under the relative one.
        Assert.InRange(Stereo(meter, Sequence(rate, (-72, 10), (-36, 10), (-23, 60), (-36, 10), (-72, 10))), -23.1, -22.9);
        // Case 5: 6 dB steps are within the relative gate: all three parts count.
        Assert.InRange(Stereo(meter, Sequence(rate, (-26, 20), (-20, 20.1), (-26, 20))), -23.1, -22.9);
        // Case 6: L, R -28 dBFS, C -24, Ls, Rs -30 (weighted 1.41): -23.
        var five = new[] { Sine(20, rate, 1000, -28), Sine(20, rate, 1000, -28), Sine(20, rate, 1000, -24), Sine(20, rate, 1000, -30), Sine(20, rate, 1000, -30) };
        Assert.InRange(meter.Integrated(five), -23.1, -22.9);
    }

    [Fact]
    public void DeManDesignReproducesTheBs1770CoefficientsAt48k()
    {
        // BS.1770-4 tables 1 and 2 (48 kHz).
        var (shelf, pass) = (LoudnessMeter.KWeighting(48000, KWeightingDesign.DeMan)[0], LoudnessMeter.KWeighting(48000, KWeightingDesign.DeMan)[1]);
        Assert.Equal(1.53512485958697, shelf.B0, 6);
        Assert.Equal(-2.69169618940638, shelf.B1, 6);
        Assert.Equal(1.19839281085285, shelf.B2, 6);
        Assert.Equal(-1.69065929318241, shelf.A1, 6);
        Assert.Equal(0.73248077421585, shelf.A2, 6);
        Assert.Equal((1.0, -2.0, 1.0), (pass.B0, pass.B1, pass.B2));
        Assert.Equal(-1.99004745483398, pass.A1, 6);
        Assert.Equal(0.99007225036621, pass.A2, 6);
        // The RBJ design (pyloudnorm's and audiotools' default) is a slightly different filter: within 0.5 dB of it in the audio band.
        var rbj = LoudnessMeter.KWeighting(48000, KWeightingDesign.Rbj);
        foreach (double hz in new[] { 20.0, 100, 1000, 2000, 5000, 10000, 20000 })
        {
            double Db(Biquad[] f) => 20 * Math.Log10(f[0].Magnitude(hz, 48000) * f[1].Magnitude(hz, 48000));
            Assert.InRange(Db(rbj) - Db([shelf, pass]), -0.5, 0.5);
        }
        // The shelf's +4 dB plateau and the high pass's corner.
        Assert.InRange(20 * Math.Log10(rbj[0].Magnitude(15000, 48000)), 3.8, 4.1);
        Assert.InRange(20 * Math.Log10(rbj[1].Magnitude(38, 48000)), -6.1, -5.9); // Q 0.5: -6 dB at the corner
    }

    [Fact]
    public void AudiotoolsPadsShortExcerptsAndFloorsSilence()
    {
        // A 0.38 s excerpt (DAC's crop) at 44.1 kHz: padded to 0.5 s, two 0.4 s blocks 0.1 s apart; the first holds
        // 0.38 s of tone, the second 0.28 s, so the gated mean square is (0.95 + 0.7) / 2 of the steady tone's.
        const int rate = 44100;
        var meter = new LoudnessMeter(rate, LoudnessMeterOptions.Audiotools);
        double steady = meter.Integrated(Sine(5, rate, 1000, -20));
        Assert.InRange(steady, -23.06, -23.0);
        Assert.Equal(steady + 10 * Math.Log10(0.825), meter.Integrated(Sine(0.38, rate, 1000, -20)), 2);
        Assert.Equal(-70.0, meter.Integrated(new float[16758]));
        // Without padding the same excerpt is one block holding 0.38 s of tone and 0.02 s of zeros.
        Assert.Equal(steady + 10 * Math.Log10(0.95), new LoudnessMeter(rate).Integrated(Sine(0.38, rate, 1000, -20)), 2);
        // As BS.1770 is written, a signal shorter than one block has no block and no loudness.
        var strict = new LoudnessMeter(rate, new LoudnessMeterOptions(Blocks: LoudnessBlocks.WholeBlocks));
        Assert.Equal(double.NegativeInfinity, strict.Integrated(Sine(0.38, rate, 1000, -20)));
        Assert.Equal(double.NegativeInfinity, new LoudnessMeter(rate).Integrated(new float[rate]));
        // Normalising to -16 LUFS with the measured gain reads -16 afterwards.
        var x = Sine(2, rate, 440, -30);
        double gain = LoudnessMeter.NormalisingGain(meter.Integrated(x), -16);
        Assert.Equal(-16.0, meter.Integrated(x.Select(v => (float)(v * gain)).ToArray()), 3);
    }

    [Fact]
    public void RejectsBadInput()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoudnessMeter(0));
        Assert.Throws<ArgumentException>(() => new LoudnessMeter(48000).Integrated(Enumerable.Range(0, 6).Select(_ => new float[10]).ToArray()));
        Assert.Throws<ArgumentException>(() => new LoudnessMeter(48000).Integrated([new float[10], new float[11]]));
    }
}
