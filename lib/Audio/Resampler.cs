namespace PianoJudges.Audio;

/// <summary>
/// Band-limited resampling by windowed-sinc interpolation (Kaiser window), with the cut-off at the
/// lower of the two Nyquist frequencies so that down-sampling does not alias.
/// </summary>
public static class Resampler
{
    /// <summary>Resamples <paramref name="input"/> from <paramref name="fromRate"/> to <paramref name="toRate"/> Hz.</summary>
    public static float[] Resample(ReadOnlySpan<float> input, int fromRate, int toRate)
    {
        if (fromRate <= 0 || toRate <= 0) throw new ArgumentOutOfRangeException(nameof(fromRate), $"sample rates must be positive, got {fromRate} -> {toRate}");
        if (fromRate == toRate) return input.ToArray();
        return ResampleByRatio(input, (double)toRate / fromRate);
    }

    /// <summary>Resamples by an arbitrary ratio (output rate / input rate), e.g. 2^(-1/12) to raise pitch by a semitone when played back at the input rate.</summary>
    public static float[] ResampleByRatio(ReadOnlySpan<float> input, double ratio, int halfWidthZeroCrossings = 32, double kaiserBeta = 9.0)
    {
        if (!(ratio > 0) || double.IsInfinity(ratio)) throw new ArgumentOutOfRangeException(nameof(ratio), $"ratio must be positive and finite, got {ratio}");
        int outLength = (int)Math.Floor(input.Length * ratio);
        var output = new float[outLength];
        double cutoff = Math.Min(1.0, ratio) * 0.97; // fraction of the input Nyquist kept
        double halfWidth = halfWidthZeroCrossings / cutoff; // in input samples
        double i0Beta = BesselI0(kaiserBeta);
        for (int n = 0; n < outLength; n++)
        {
            double t = n / ratio;
            int lo = Math.Max(0, (int)Math.Ceiling(t - halfWidth));
            int hi = Math.Min(input.Length - 1, (int)Math.Floor(t + halfWidth));
            double acc = 0;
            for (int k = lo; k <= hi; k++)
            {
                double x = k - t;
                double r = x / halfWidth;
                double w = BesselI0(kaiserBeta * Math.Sqrt(Math.Max(0, 1 - r * r))) / i0Beta;
                double arg = Math.PI * cutoff * x;
                double sinc = Math.Abs(arg) < 1e-12 ? 1 : Math.Sin(arg) / arg;
                acc += input[k] * cutoff * sinc * w;
            }
            output[n] = (float)acc;
        }
        return output;
    }

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 50; k++)
        {
            term *= q / (k * k);
            sum += term;
            if (term < 1e-12 * sum) break;
        }
        return sum;
    }
}
