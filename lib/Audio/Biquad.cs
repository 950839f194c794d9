namespace PianoJudges.Audio;

/// <summary>
/// One second-order IIR section, normalised so that a0 = 1, with the Audio EQ Cookbook designs (R. Bristow-Johnson).
/// Used by PLD-synth's recording chain (EQ, in float) and the loudness meter's K-weighting (in double).
/// </summary>
public readonly record struct Biquad(double B0, double B1, double B2, double A1, double A2)
{
    private static Biquad Normalised(double b0, double b1, double b2, double a0, double a1, double a2) =>
        new(b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0);

    public static Biquad LowPass(int fs, double f0, double q)
    {
        var (cos, alpha) = Prewarp(fs, f0, q);
        return Normalised((1 - cos) / 2, 1 - cos, (1 - cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    public static Biquad HighPass(int fs, double f0, double q)
    {
        var (cos, alpha) = Prewarp(fs, f0, q);
        return Normalised((1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    public static Biquad Peaking(int fs, double f0, double q, double gainDb)
    {
        var (cos, alpha) = Prewarp(fs, f0, q);
        double a = Math.Pow(10, gainDb / 40);
        return Normalised(1 + alpha * a, -2 * cos, 1 - alpha * a, 1 + alpha / a, -2 * cos, 1 - alpha / a);
    }

    public static Biquad LowShelf(int fs, double f0, double gainDb, double q = 0.707)
    {
        var (cos, alpha) = Prewarp(fs, f0, q);
        double a = Math.Pow(10, gainDb / 40), s = 2 * Math.Sqrt(a) * alpha;
        return Normalised(a * ((a + 1) - (a - 1) * cos + s), 2 * a * ((a - 1) - (a + 1) * cos), a * ((a + 1) - (a - 1) * cos - s),
            (a + 1) + (a - 1) * cos + s, -2 * ((a - 1) + (a + 1) * cos), (a + 1) + (a - 1) * cos - s);
    }

    public static Biquad HighShelf(int fs, double f0, double gainDb, double q = 0.707)
    {
        var (cos, alpha) = Prewarp(fs, f0, q);
        double a = Math.Pow(10, gainDb / 40), s = 2 * Math.Sqrt(a) * alpha;
        return Normalised(a * ((a + 1) + (a - 1) * cos + s), -2 * a * ((a - 1) + (a + 1) * cos), a * ((a + 1) + (a - 1) * cos - s),
            (a + 1) - (a - 1) * cos + s, 2 * ((a - 1) - (a + 1) * cos), (a + 1) - (a - 1) * cos - s);
    }

    private static (double Cos, double Alpha) Prewarp(int fs, double f0, double q)
    {
        if (!(f0 > 0 && f0 < fs / 2.0)) throw new ArgumentOutOfRangeException(nameof(f0), $"filter frequency {f0} Hz must lie in (0, {fs / 2}) Hz");
        double w0 = 2 * Math.PI * f0 / fs;
        return (Math.Cos(w0), Math.Sin(w0) / (2 * q));
    }

    /// <summary>Filters <paramref name="x"/> in place from rest (transposed direct form II).</summary>
    public void Process(Span<float> x)
    {
        double z1 = 0, z2 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double y = B0 * v + z1;
            z1 = B1 * v - A1 * y + z2;
            z2 = B2 * v - A2 * y;
            x[i] = (float)y;
        }
    }

    /// <summary>Filters <paramref name="x"/> from rest into <paramref name="y"/> (may be the same array; direct form I).</summary>
    public void Apply(ReadOnlySpan<double> x, Span<double> y)
    {
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double x0 = x[i];
            double y0 = B0 * x0 + B1 * x1 + B2 * x2 - A1 * y1 - A2 * y2;
            x2 = x1;
            x1 = x0;
            y2 = y1;
            y1 = y0;
            y[i] = y0;
        }
    }

    /// <summary>Gain |H(e^{iw})| at <paramref name="hz"/> for a filter running at <paramref name="sampleRate"/>.</summary>
    public double Magnitude(double hz, int sampleRate)
    {
        double w = 2 * Math.PI * hz / sampleRate;
        System.Numerics.Complex z1 = System.Numerics.Complex.FromPolarCoordinates(1, -w), z2 = z1 * z1;
        return ((B0 + B1 * z1 + B2 * z2) / (1 + A1 * z1 + A2 * z2)).Magnitude;
    }
}
