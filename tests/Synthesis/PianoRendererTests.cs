namespace PianoJudges.Tests.Synthesis;

using PianoJudges.Synthesis;

[Collection(SynthCollection.Name)]
public sealed class PianoRendererTests(SynthFixture fx)
{
    /// <summary>Frequency of the strongest spectral peak in [lo, hi] Hz over a Hann-windowed excerpt, by a dense DFT scan refined by parabolic interpolation.</summary>
    private static double PeakFrequency(float[] x, int sr, double lo, double hi, int from, int length)
    {
        double best = -1, bestF = lo, step = 0.05;
        var mags = new List<(double F, double M)>();
        for (double f = lo; f <= hi; f += step)
        {
            double w = 2 * Math.PI * f / sr, re = 0, im = 0;
            for (int n = 0; n < length; n++)
            {
                double v = x[from + n] * 0.5 * (1 - Math.Cos(2 * Math.PI * n / (length - 1)));
                re += v * Math.Cos(w * n);
                im -= v * Math.Sin(w * n);
            }
            double m = re * re + im * im;
            mags.Add((f, m));
            if (m > best) { best = m; bestF = f; }
        }
        int i = mags.FindIndex(p => p.F == bestF);
        if (i <= 0 || i >= mags.Count - 1) return bestF;
        double a = Math.Log(mags[i - 1].M), b = Math.Log(mags[i].M), c = Math.Log(mags[i + 1].M);
        return bestF + step * 0.5 * (a - c) / (a - 2 * b + c);
    }

    private static double Cents(double f, double reference) => 1200 * Math.Log2(f / reference);

    [Fact]
    public void A4ShiftedFromNeighbouringSamplesIsAt440Hz()
    {
        int sr = fx.Samples.SampleRate;
        int from = sr / 10, length = sr / 2;
        var direct = fx.Samples.Shifted(69, 69, 0);                 // the A4 sample itself, only resampled to 44.1 kHz
        var fromC5 = fx.Samples.Shifted(72, 69, 0);                 // three semitones down
        var fromFs4 = fx.Samples.Shifted(66, 69, 1);                // three semitones up, other layer
        var viaNote = fx.Samples.Note(70, 0);                       // A#4: A4 shifted up one semitone
        double f0 = PeakFrequency(direct, sr, 425, 455, from, length);
        Assert.InRange(Cents(f0, 440), -5, 5);
        Assert.InRange(Cents(PeakFrequency(fromC5, sr, 425, 455, from, length), 440), -5, 5);
        Assert.InRange(Cents(PeakFrequency(fromFs4, sr, 425, 455, from, length), 440), -5, 5);
        Assert.InRange(Cents(PeakFrequency(viaNote, sr, 450, 482, from, length), 440 * Math.Pow(2, 1 / 12.0)), -5, 5);
    }

    [Fact]
    public void ReleasedKeysAreDamped_UnlessThePedalHoldsThem()
    {
        static double Energy(float[] x, int a, int b) => x.Skip(a).Take(b - a).Sum(v => (double)v * v);
        int sr = fx.Samples.SampleRate;
        var note = new PerformedNote(0.1, 0.4, 60, 0.6, 0, false);
        var dry = PianoRenderer.RenderDry(new Performance([note], [], 0.9, 2, 0, 0, 0, 0), fx.Samples, 2.0);
        var pedalled = PianoRenderer.RenderDry(new Performance([note], [new PedalSpan(0.2, 1.9)], 0.9, 2, 0, 0, 0, 0), fx.Samples, 2.0);
        double held = Energy(dry, (int)(0.15 * sr), (int)(0.35 * sr));
        Assert.True(held > 0);
        Assert.Equal(held, Energy(pedalled, (int)(0.15 * sr), (int)(0.35 * sr)), 6);
        double afterDry = Energy(dry, (int)(1.0 * sr), (int)(1.5 * sr));
        double afterPedal = Energy(pedalled, (int)(1.0 * sr), (int)(1.5 * sr));
        Assert.True(afterPedal > 0.01 * held, "the pedal should sustain the note");
        Assert.True(afterDry < 1e-4 * afterPedal, $"released note still sounds: {afterDry:g3} vs {afterPedal:g3} with pedal");
    }

    [Fact]
    public void RecordingVarietyPullsConditionsTowardsTheReference()
    {
        var reference = RecordingConditions.Sample(new SynthRng(5), quality: 0.7);
        var drawn = RecordingConditions.Sample(new SynthRng(6), quality: 0.1);
        Assert.Equal(drawn, drawn.Towards(reference, 1.0));
        Assert.Equal(reference with { HumDb = drawn.HumDb is null ? null : reference.HumDb }, drawn.Towards(reference, 0.0));
        var half = drawn.Towards(reference, 0.5);
        Assert.Equal((reference.LowShelfDb + drawn.LowShelfDb) / 2, half.LowShelfDb, 9);
        Assert.Equal((reference.Rt60 + drawn.Rt60) / 2, half.Rt60, 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => drawn.Towards(reference, 1.5));
        Assert.Contains("recording variety", Assert.Throws<ArgumentException>(() =>
            PldSynth.Plan(PldSynthConfig.ForSize(PldSynthSizes.Tiny) with { RecordingVariety = -0.1 })).Message);
    }

    [Fact]
    public void RecordingConditionsChangeTheSoundButKeepItInRange()
    {
        var item = PldSynth.Plan(fx.Tiny)[0];
        var (_, performance) = PldSynth.Realise(item, fx.Tiny.Seed);
        var phone = RecordingConditions.Sample(new SynthRng(1), quality: 0.0);
        var studio = RecordingConditions.Sample(new SynthRng(1), quality: 1.0);
        var a = PianoRenderer.Render(performance, fx.Samples, phone, item.Seconds, new SynthRng(2));
        var b = PianoRenderer.Render(performance, fx.Samples, studio, item.Seconds, new SynthRng(2));
        Assert.All(a, v => Assert.True(float.IsFinite(v) && Math.Abs(v) <= 1));
        Assert.All(b, v => Assert.True(float.IsFinite(v) && Math.Abs(v) <= 1));
        Assert.False(a.AsSpan().SequenceEqual(b));

        // Mastering / automatic gain: the music's loudness, not its peak, follows LoudnessDb, whatever the room and microphone did.
        foreach (var (c, x) in new[] { (phone, a), (studio, b) })
        {
            double db = 10 * Math.Log10(x.Average(v => (double)v * v));
            Assert.InRange(db, c.LoudnessDb - 1.5, c.LoudnessDb + 0.5);
        }

        // One short note, then silence: what remains a few seconds later is the recording's noise floor.
        int sr = fx.Samples.SampleRate;
        var one = new Performance([new PerformedNote(0.1, 0.3, 64, 0.7, 0, false)], [], 0.9, 0.5, 0, 0, 0, 0);
        static double Rms(float[] x, int from, int to) => Math.Sqrt(x.Skip(from).Take(to - from).Average(v => (double)v * v));
        var noisy = PianoRenderer.Render(one, fx.Samples, phone, 6.0, new SynthRng(3));
        var clean = PianoRenderer.Render(one, fx.Samples, studio, 6.0, new SynthRng(3));
        double noisyDb = 20 * Math.Log10(Rms(noisy, (int)(4.5 * sr), (int)(5.5 * sr)));
        double cleanDb = 20 * Math.Log10(Rms(clean, (int)(4.5 * sr), (int)(5.5 * sr)) + 1e-12);
        Assert.True(noisyDb > cleanDb + 20, $"noise floor {noisyDb:0.0} dBFS (phone) vs {cleanDb:0.0} dBFS (studio)");
        Assert.InRange(noisyDb, phone.NoiseDb - 10, phone.NoiseDb + 6);
    }
}
