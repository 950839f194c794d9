namespace PianoJudges.Tests.Audio;

using PianoJudges.Audio;

public class ResamplerTests
{
    /// <summary>Gain (dB) of a tone at <paramref name="hz"/> through from -> to, measured away from the ends.</summary>
    private static double GainDb(int from, int to, double hz)
    {
        var x = TestAudio.Sine(from, from, hz); // 1 s
        var y = Resampler.Resample(x, from, to);
        int margin = to / 10;
        return 20 * Math.Log10(TestAudio.Amplitude(y, to, hz, margin, y.Length - margin));
    }

    [Fact]
    public void Stopband_removes_a_10kHz_tone_going_from_44k1_to_16k()
    {
        var tone = Resampler.Resample(TestAudio.Sine(44100, 44100, 10000), 44100, 16000);
        var pass = Resampler.Resample(TestAudio.Sine(44100, 44100, 1000), 44100, 16000);
        int m = 1600;
        double ratioDb = 20 * Math.Log10(TestAudio.Rms(tone.AsSpan(m, tone.Length - 2 * m)) / TestAudio.Rms(pass.AsSpan(m, pass.Length - 2 * m)));
        Assert.True(ratioDb < -60, $"10 kHz leaks at {ratioDb:0.0} dB");
        Assert.True(ratioDb < -90, $"10 kHz leaks at {ratioDb:0.0} dB (design: -100 dB)");
    }

    [Theory]
    [InlineData(44100, 16000)]
    [InlineData(44100, 24000)]
    [InlineData(48000, 24000)]
    [InlineData(48000, 44100)]
    [InlineData(16000, 44100)]
    [InlineData(44100, 32000)]
    public void Passband_is_flat_from_0_1_to_0_8_of_the_output_Nyquist(int from, int to)
    {
        double nyquist = Math.Min(from, to) / 2.0;
        foreach (double f in new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85 })
        {
            double db = GainDb(from, to, f * nyquist);
            Assert.True(Math.Abs(db) < 0.001, $"{from}->{to}: {f:0.00} of Nyquist at {db:0.0000} dB");
        }
    }

    [Theory]
    [InlineData(44100, 16000)]
    [InlineData(48000, 44100)]
    [InlineData(16000, 48000)]
    public void Stopband_beyond_the_lower_Nyquist(int from, int to)
    {
        double nyquist = Math.Min(from, to) / 2.0;
        foreach (double f in new[] { 1.0, 1.1, 1.5 })
        {
            double hz = f * nyquist;
            if (hz >= from / 2.0) continue; // the input cannot hold it
            var y = Resampler.Resample(TestAudio.Sine(from, from, hz), from, to);
            int m = to / 10;
            double db = 20 * Math.Log10(TestAudio.Rms(y.AsSpan(m, y.Length - 2 * m)) * Math.Sqrt(2));
            Assert.True(db < -90, $"{from}->{to}: {hz} Hz passes at {db:0.0} dB");
        }
    }

    [Fact]
    public void Upsampling_leaves_no_images()
    {
        // a 6.4 kHz tone at 16 kHz has images at 16k - 6.4k = 9.6 kHz, 22.4 kHz, … after zero-stuffing to 48 kHz
        var y = Resampler.Resample(TestAudio.Sine(16000, 16000, 6400), 16000, 48000);
        int m = 4800;
        Assert.Equal(1.0, TestAudio.Amplitude(y, 48000, 6400, m, y.Length - m), 1e-4);
        foreach (double image in new[] { 9600.0, 22400.0 })
        {
            double db = 20 * Math.Log10(TestAudio.Amplitude(y, 48000, image, m, y.Length - m));
            Assert.True(db < -90, $"image at {image} Hz: {db:0.0} dB");
        }
    }

    [Theory]
    [InlineData(0, 44100, 16000, 0)]
    [InlineData(1, 44100, 16000, 1)]
    [InlineData(441, 44100, 16000, 160)]
    [InlineData(442, 44100, 16000, 161)]
    [InlineData(44100, 44100, 24000, 24000)]
    [InlineData(44101, 44100, 24000, 24001)]
    [InlineData(147, 48000, 44100, 136)]
    [InlineData(1000, 16000, 48000, 3000)]
    public void Lengths_are_ceil_of_length_times_ratio(int n, int from, int to, int expected)
    {
        Assert.Equal(expected, Resampler.OutputLength(n, from, to));
        Assert.Equal(expected, Resampler.Resample(new float[n], from, to).Length);
    }

    [Fact]
    public void Equal_rates_copy_the_input()
    {
        var x = TestAudio.Sine(1000, 16000, 440);
        var y = Resampler.Resample(x, 16000, 16000);
        Assert.Equal(x, y);
        Assert.NotSame(x, y);
    }

    [Theory]
    [InlineData(44100, 16000)]
    [InlineData(48000, 44100)]
    [InlineData(16000, 48000)]
    public void Dc_passes_with_unit_gain(int from, int to)
    {
        var x = Enumerable.Repeat(0.5f, from).ToArray();
        var y = Resampler.Resample(x, from, to);
        for (int i = to / 10; i < y.Length - to / 10; i++) Assert.Equal(0.5f, y[i], 1e-5f);
    }

    [Fact]
    public void Impulse_response_is_symmetric_centred_and_sums_to_the_rate_ratio()
    {
        var x = new float[44100];
        x[22050] = 1; // 0.5 s, which is exactly output sample 8000 at 16 kHz
        var y = Resampler.Resample(x, 44100, 16000);
        int peak = Array.IndexOf(y, y.Max());
        Assert.Equal(8000, peak);
        for (int k = 1; k < 300; k++) Assert.Equal(y[8000 - k], y[8000 + k], 1e-6f);
        Assert.Equal(16000.0 / 44100, y.Sum(v => (double)v), 1e-4);
    }

    [Fact]
    public void Awkward_rate_pair_uses_the_fractional_table_with_the_same_quality()
    {
        // 44056 / 16000 reduces to 5507 / 2000: too many phases for a polyphase table under a small limit
        var small = new ResamplerOptions(MaxPolyphaseTableFloats: 10_000);
        var y = Resampler.Resample(TestAudio.Sine(44056, 44056, 3000), 44056, 16000, small);
        Assert.Equal(16000, y.Length);
        Assert.Equal(1.0, TestAudio.Amplitude(y, 16000, 3000, 1600, 14400), 1e-3);
        var z = Resampler.Resample(TestAudio.Sine(44056, 44056, 9000), 44056, 16000, small);
        Assert.True(TestAudio.Rms(z.AsSpan(1600, 12800)) < 1e-4);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-2)]
    [InlineData(1)]
    public void ResampleByRatio_shifts_pitch_by_semitones(int semitones)
    {
        const int rate = 48000;
        double ratio = Math.Pow(2, -semitones / 12.0);
        var x = TestAudio.Sine(rate, rate, 440);
        var y = Resampler.ResampleByRatio(x, ratio);
        Assert.Equal((int)Math.Ceiling(rate * ratio - 1e-9), y.Length);
        // played back at the input rate the tone is now 440·2^(s/12)
        double shifted = 440 * Math.Pow(2, semitones / 12.0);
        Assert.Equal(1.0, TestAudio.Amplitude(y, rate, shifted, 4800, y.Length - 4800), 1e-3);
    }

    [Fact]
    public void ResampleByRatio_band_limits_when_shrinking()
    {
        // a tone at 0.95 of the input Nyquist must not alias when shifted up by two semitones
        var x = TestAudio.Sine(48000, 48000, 0.95 * 24000);
        var y = Resampler.ResampleByRatio(x, Math.Pow(2, -2 / 12.0));
        Assert.True(TestAudio.Rms(y.AsSpan(4800, y.Length - 9600)) < 1e-3);
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.Resample(new float[4], 0, 16000));
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.Resample(new float[4], 16000, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.ResampleByRatio(new float[4], double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.ResampleByRatio(new float[4], 0));
    }
}
