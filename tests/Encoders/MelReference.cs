namespace PianoJudges.Tests.Encoders;

using PianoJudges.Encoders;

/// <summary>
/// An independent, slow mel spectrogram in double precision: explicit padding, a naive O(N^2) DFT and the
/// triangular filters written out from their formulas. Only the enums are shared with the code under test.
/// </summary>
internal static class MelReference
{
    public sealed record Settings(
        int SampleRate = 24000, int NFft = 400, int WinLength = 400, int Hop = 160, double FMin = 0, double? FMax = null,
        int NMels = 128, double Power = 2, bool Center = true, PadMode Pad = PadMode.Reflect,
        MelScale Scale = MelScale.Htk, MelNorm Norm = MelNorm.None);

    /// <summary>Mel: (frames, n_mels); Power: (frames, n_fft/2+1) = |X_k|^power before the filterbank.</summary>
    public sealed record Result(double[,] Mel, double[,] Power);

    /// <summary>Everything in double; only the listed frames are computed when <paramref name="onlyFrames"/> is given.</summary>
    public static Result Compute(float[] signal, Settings s, IReadOnlyList<int>? onlyFrames = null)
    {
        int n = s.NFft, half = s.Center ? n / 2 : 0;
        int len = signal.Length;
        double Sample(int i) // index into the signal extended by the pad mode
        {
            if (i >= 0 && i < len) return signal[i];
            return s.Pad switch
            {
                PadMode.Reflect => signal[i < 0 ? -i : 2 * (len - 1) - i],
                PadMode.Replicate => signal[i < 0 ? 0 : len - 1],
                PadMode.Circular => signal[((i % len) + len) % len],
                _ => 0.0,
            };
        }

        int frames = 1 + (len + 2 * half - n) / s.Hop;
        // Periodic Hann as sin^2(pi i / W), centred in n_fft.
        var window = new double[n];
        int left = (n - s.WinLength) / 2;
        for (int i = 0; i < s.WinLength; i++) window[left + i] = Math.Pow(Math.Sin(Math.PI * i / s.WinLength), 2);

        var cos = new double[n];
        var sin = new double[n];
        for (int r = 0; r < n; r++) { cos[r] = Math.Cos(2 * Math.PI * r / n); sin[r] = Math.Sin(2 * Math.PI * r / n); }

        int bins = n / 2 + 1;
        var fb = Filters(bins, s);
        var result = new double[frames, s.NMels];
        var power = new double[frames, bins];
        var y = new double[n];
        var spec = new double[bins];
        foreach (int t in onlyFrames ?? Enumerable.Range(0, frames).ToArray())
        {
            for (int i = 0; i < n; i++) y[i] = window[i] * Sample(t * s.Hop - half + i);
            for (int k = 0; k < bins; k++)
            {
                double re = 0, im = 0;
                for (int i = 0; i < n; i++)
                {
                    int r = (int)((long)k * i % n);
                    re += y[i] * cos[r];
                    im -= y[i] * sin[r];
                }
                spec[k] = power[t, k] = Math.Pow(re * re + im * im, s.Power / 2);
            }
            for (int m = 0; m < s.NMels; m++)
            {
                double sum = 0;
                for (int k = 0; k < bins; k++) sum += fb[k, m] * spec[k];
                result[t, m] = sum;
            }
        }
        return new Result(result, power);
    }

    public static double Mel(double hz, MelScale scale) => scale == MelScale.Htk
        ? 2595 * Math.Log10(1 + hz / 700)
        : hz <= 1000 ? 3 * hz / 200 : 15 + 27 * Math.Log(hz / 1000) / Math.Log(6.4);

    public static double Hz(double mel, MelScale scale) => scale == MelScale.Htk
        ? 700 * (Math.Pow(10, mel / 2595) - 1)
        : mel <= 15 ? 200 * mel / 3 : 1000 * Math.Pow(6.4, (mel - 15) / 27);

    /// <summary>Corner frequencies f_0..f_{n_mels+1} (Hz), equally spaced in mel.</summary>
    public static double[] Corners(Settings s)
    {
        double lo = Mel(s.FMin, s.Scale), hi = Mel(s.FMax ?? s.SampleRate / 2, s.Scale);
        return Enumerable.Range(0, s.NMels + 2).Select(i => Hz(lo + (hi - lo) * i / (s.NMels + 1), s.Scale)).ToArray();
    }

    /// <summary>(bins, n_mels): filter m rises from f_m to f_{m+1} and falls to f_{m+2}; bin k sits at k (sr // 2) / (bins - 1) Hz.</summary>
    public static double[,] Filters(int bins, Settings s)
    {
        var f = Corners(s);
        var fb = new double[bins, s.NMels];
        for (int k = 0; k < bins; k++)
        {
            double hz = (double)k * (s.SampleRate / 2) / (bins - 1);
            for (int m = 0; m < s.NMels; m++)
            {
                double w = 0;
                if (hz > f[m] && hz <= f[m + 1]) w = (hz - f[m]) / (f[m + 1] - f[m]);
                else if (hz > f[m + 1] && hz < f[m + 2]) w = (f[m + 2] - hz) / (f[m + 2] - f[m + 1]);
                if (s.Norm == MelNorm.Slaney) w *= 2 / (f[m + 2] - f[m]);
                fb[k, m] = w;
            }
        }
        return fb;
    }

    public static float[] Noise(int samples, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, samples).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>Linear chirp from f0 to f1 Hz over the signal.</summary>
    public static float[] Chirp(int samples, int sampleRate, double f0, double f1)
    {
        double duration = (double)samples / sampleRate;
        return Enumerable.Range(0, samples).Select(i =>
        {
            double t = (double)i / sampleRate;
            return (float)(0.8 * Math.Sin(2 * Math.PI * (f0 * t + (f1 - f0) * t * t / (2 * duration))));
        }).ToArray();
    }
}
