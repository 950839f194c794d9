namespace PianoJudges.Audio;

using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Numerics;
using System.Runtime.CompilerServices;

/// <summary>The low-pass filter that <see cref="Resampler.Resample(ReadOnlySpan{float}, int, int, ResamplerOptions)"/> designs (Kaiser method).</summary>
/// <param name="PassbandFraction">Passband edge as a fraction of the lower of the two Nyquist frequencies; the stopband starts at that Nyquist, so nothing aliases.</param>
/// <param name="StopbandAttenuationDb">Kaiser design attenuation; the passband ripple is the same δ = 10^(-A/20).</param>
/// <param name="MaxPolyphaseTableFloats">Above this table size (an awkward rate pair such as 44056 -> 16000 Hz) the fractional-phase table is used instead.</param>
public sealed record ResamplerOptions(double PassbandFraction = 0.9, double StopbandAttenuationDb = 100, int MaxPolyphaseTableFloats = 1 << 22)
{
    public static ResamplerOptions Default { get; } = new();
}

/// <summary>
/// Band-limited resampling with Kaiser-windowed sinc filters.
/// Rational rate pairs (44.1k -> 16k is 160/441) use a polyphase table with one precomputed filter per output phase;
/// arbitrary ratios (pitch shifting) use a table of 512 fractional phases per input sample with linear
/// interpolation between neighbouring phases. Both are zero-phase: output sample n is centred on input time
/// n / ratio, and the input is zero outside its ends. Every phase is normalised to unit DC gain.
/// </summary>
public static class Resampler
{
    /// <summary>Phases per input sample of the fractional-phase table (interpolation error about -110 dB).</summary>
    private const int FractionalPhases = 512;
    private const int MaxCachedTables = 64;

    private static readonly ConcurrentDictionary<(long, long, ResamplerOptions), FilterTable?> RationalTables = new();
    private static readonly ConcurrentDictionary<(double, double, double), FilterTable> FractionalTables = new();

    /// <summary>Output length for <paramref name="inputLength"/> samples: every output instant that lies inside the input,
    /// ceil(inputLength · toRate / fromRate) (torchaudio's convention).</summary>
    public static int OutputLength(int inputLength, int fromRate, int toRate)
    {
        CheckRates(fromRate, toRate);
        return checked((int)(((long)inputLength * toRate + fromRate - 1) / fromRate));
    }

    /// <summary>Resamples <paramref name="input"/> (mono) from <paramref name="fromRate"/> to <paramref name="toRate"/> Hz with the default filter.</summary>
    /// <returns><see cref="OutputLength"/> samples; a copy of the input when the rates are equal.</returns>
    public static float[] Resample(ReadOnlySpan<float> input, int fromRate, int toRate) =>
        Resample(input, fromRate, toRate, ResamplerOptions.Default);

    /// <inheritdoc cref="Resample(ReadOnlySpan{float}, int, int)"/>
    public static float[] Resample(ReadOnlySpan<float> input, int fromRate, int toRate, ResamplerOptions options)
    {
        CheckRates(fromRate, toRate);
        if (fromRate == toRate) return input.ToArray();
        long g = Gcd(fromRate, toRate);
        long up = toRate / g, down = fromRate / g;
        var output = new float[OutputLength(input.Length, fromRate, toRate)];
        var polyphase = RationalTables.GetOrAdd((up, down, options), static k => DesignRational(k.Item1, k.Item2, k.Item3));
        if (polyphase is not null) RunPolyphase(input, output, polyphase, up, down);
        else RunFractional(input, output, FractionalTables.GetOrAdd(KaiserKey((double)toRate / fromRate, options), DesignFractional), (double)fromRate / toRate);
        return output;
    }

    /// <summary>
    /// Resamples by an arbitrary <paramref name="ratio"/> (output rate / input rate); played back at the input rate,
    /// ratio 2^(-1/12) sounds one semitone higher. Cut-off at 0.97 of the lower Nyquist frequency.
    /// </summary>
    /// <param name="halfWidthZeroCrossings">Filter half-length in zero crossings of the cut-off sinc.</param>
    /// <param name="kaiserBeta">Kaiser window shape (9 gives about -90 dB side lobes).</param>
    /// <returns>ceil(input.Length · ratio) samples.</returns>
    public static float[] ResampleByRatio(ReadOnlySpan<float> input, double ratio, int halfWidthZeroCrossings = 32, double kaiserBeta = 9.0)
    {
        if (!(ratio > 0) || double.IsInfinity(ratio)) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "ratio must be positive and finite");
        if (halfWidthZeroCrossings < 1) throw new ArgumentOutOfRangeException(nameof(halfWidthZeroCrossings), halfWidthZeroCrossings, "at least one zero crossing");
        if (!(kaiserBeta >= 0)) throw new ArgumentOutOfRangeException(nameof(kaiserBeta), kaiserBeta, "kaiserBeta must be >= 0");
        long length = (long)Math.Ceiling(input.Length * ratio - 1e-9);
        if (length > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, $"output of {length} samples is too long");
        var output = new float[Math.Max(0, length)];
        double cutoff = 0.97 * Math.Min(1.0, ratio); // fraction of the input Nyquist
        double fc = 0.5 * cutoff;                    // cycles per input sample
        double halfWidth = halfWidthZeroCrossings / cutoff;
        if (FractionalTables.Count > MaxCachedTables) FractionalTables.Clear(); // callers with ever-changing ratios
        var table = FractionalTables.GetOrAdd((fc, halfWidth, kaiserBeta), DesignFractional);
        RunFractional(input, output, table, 1.0 / ratio);
        return output;
    }

    private static void CheckRates(int fromRate, int toRate)
    {
        if (fromRate <= 0 || toRate <= 0)
            throw new ArgumentOutOfRangeException(fromRate <= 0 ? nameof(fromRate) : nameof(toRate), $"sample rates must be positive, got {fromRate} -> {toRate} Hz");
    }

    private static long Gcd(long a, long b) { while (b != 0) (a, b) = (b, a % b); return a; }

    /// <summary>Filter taps for one output instant: Phases rows of Taps coefficients applied to input[i0 - Lead ..].</summary>
    private sealed record FilterTable(float[] Coefficients, int Phases, int Taps, int Lead)
    {
        public ReadOnlySpan<float> Row(int phase) => Coefficients.AsSpan(phase * Taps, Taps);
    }

    /// <summary>Cut-off fc (cycles per input sample), half-length T (input samples) and β from the Kaiser design formulas.</summary>
    private static (double Fc, double HalfLength, double Beta) KaiserKey(double ratio, ResamplerOptions o)
    {
        if (!(o.PassbandFraction is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(o.PassbandFraction), o.PassbandFraction, "PassbandFraction must be in (0, 1)");
        if (!(o.StopbandAttenuationDb >= 21)) throw new ArgumentOutOfRangeException(nameof(o.StopbandAttenuationDb), o.StopbandAttenuationDb, "StopbandAttenuationDb must be >= 21");
        double a = o.StopbandAttenuationDb;
        double nyquist = 0.5 * Math.Min(1.0, ratio);
        double transition = (1 - o.PassbandFraction) * nyquist;
        double fc = nyquist - transition / 2;
        double span = (a - 7.95) / (14.357 * transition); // N - 1 for the Kaiser window
        double beta = a > 50 ? 0.1102 * (a - 8.7) : 0.5842 * Math.Pow(a - 21, 0.4) + 0.07886 * (a - 21);
        return (fc, span / 2, beta);
    }

    private static FilterTable? DesignRational(long up, long down, ResamplerOptions options)
    {
        var (fc, halfLength, beta) = KaiserKey((double)up / down, options);
        int lead = (int)Math.Ceiling(halfLength);
        int taps = 2 * lead + 2;
        if ((long)taps * up > options.MaxPolyphaseTableFloats) return null;
        return Design(fc, halfLength, beta, (int)up, taps, lead, p => (double)p / up);
    }

    private static FilterTable DesignFractional((double Fc, double HalfLength, double Beta) k)
    {
        int lead = (int)Math.Ceiling(k.HalfLength);
        int taps = (2 * lead + 2 + 7) / 8 * 8; // whole SIMD vectors: the extra taps are zeros
        return Design(k.Fc, k.HalfLength, k.Beta, FractionalPhases + 1, taps, lead, p => (double)p / FractionalPhases);
    }

    /// <summary>Row p holds h(j - lead - frac(p)) for j = 0..taps-1, h the windowed sinc, normalised to sum 1.</summary>
    private static FilterTable Design(double fc, double halfLength, double beta, int phases, int taps, int lead, Func<int, double> frac)
    {
        var c = new float[(long)phases * taps];
        double i0Beta = BesselI0(beta);
        var row = new double[taps];
        for (int p = 0; p < phases; p++)
        {
            double f = frac(p), sum = 0;
            for (int j = 0; j < taps; j++)
            {
                double x = j - lead - f;
                double r = x / halfLength;
                double h = 0;
                if (Math.Abs(r) < 1)
                {
                    double arg = 2 * Math.PI * fc * x;
                    double sinc = Math.Abs(arg) < 1e-12 ? 1 : Math.Sin(arg) / arg;
                    h = 2 * fc * sinc * BesselI0(beta * Math.Sqrt(1 - r * r)) / i0Beta;
                }
                row[j] = h;
                sum += h;
            }
            for (int j = 0; j < taps; j++) c[(long)p * taps + j] = (float)(row[j] / sum);
        }
        return new FilterTable(c, phases, taps, lead);
    }

    /// <summary>Output n is centred on input time n·down/up: integer part i0, phase (n·down) mod up.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the tier-0/OSR code of a method called a few times
    private static void RunPolyphase(ReadOnlySpan<float> input, Span<float> output, FilterTable t, long up, long down)
    {
        long i0 = 0, phase = 0;
        for (int n = 0; n < output.Length; n++)
        {
            output[n] = DotClipped(input, i0 - t.Lead, t.Row((int)phase));
            phase += down;
            i0 += phase / up;
            phase %= up;
        }
    }

    /// <summary>Output n is centred on input time n·step; the filter is interpolated linearly between the two nearest table phases.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the tier-0/OSR code of a method called a few times
    private static void RunFractional(ReadOnlySpan<float> input, Span<float> output, FilterTable t, double step)
    {
        for (int n = 0; n < output.Length; n++)
        {
            double time = n * step;
            long i0 = (long)Math.Floor(time);
            double pos = (time - i0) * FractionalPhases;
            int p = Math.Min((int)pos, FractionalPhases - 1);
            float a = (float)(pos - p);
            long start = i0 - t.Lead;
            float lo, hi;
            if (start >= 0 && start + t.Taps <= input.Length)
                (lo, hi) = Dot2(input.Slice((int)start, t.Taps), t.Row(p), t.Row(p + 1));
            else
            {
                lo = DotClipped(input, start, t.Row(p));
                hi = DotClipped(input, start, t.Row(p + 1));
            }
            output[n] = lo + a * (hi - lo);
        }
    }

    /// <summary>(x·a, x·b) in one pass over x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the tier-0/OSR code of a method called a few times
    private static (float, float) Dot2(ReadOnlySpan<float> x, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sa = Vector<float>.Zero;
        var sb = Vector<float>.Zero;
        int i = 0, w = Vector<float>.Count;
        for (; i <= x.Length - w; i += w)
        {
            var v = new Vector<float>(x[i..]);
            sa += v * new Vector<float>(a[i..]);
            sb += v * new Vector<float>(b[i..]);
        }
        float ra = Vector.Sum(sa), rb = Vector.Sum(sb);
        for (; i < x.Length; i++) { ra += x[i] * a[i]; rb += x[i] * b[i]; }
        return (ra, rb);
    }

    /// <summary>Σ_j input[start + j]·row[j] with the input taken as zero outside its bounds.</summary>
    private static float DotClipped(ReadOnlySpan<float> input, long start, ReadOnlySpan<float> row)
    {
        long lo = Math.Max(0, start), hi = Math.Min(input.Length, start + row.Length);
        if (hi <= lo) return 0;
        return TensorPrimitives.Dot(input[(int)lo..(int)hi], row[(int)(lo - start)..(int)(hi - start)]);
    }

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 200; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
            if (term < 1e-17 * sum) break;
        }
        return sum;
    }
}
