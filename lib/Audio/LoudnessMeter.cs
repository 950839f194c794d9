namespace PianoJudges.Audio;

/// <summary>How the K-weighting biquads are designed for a sample rate.</summary>
public enum KWeightingDesign
{
    /// <summary>
    /// pyloudnorm's "K-weighting" (and so audiotools' Meter, DAC's VolumeNorm): RBJ cookbook high shelf (+4 dB, Q 1/sqrt 2,
    /// 1500 Hz) and high pass (Q 0.5, 38 Hz). Close to, not exactly, the coefficients tabulated in BS.1770 at 48 kHz.
    /// </summary>
    Rbj,
    /// <summary>Brecht De Man's fit (pyloudnorm "DeMan"): reproduces BS.1770's 48 kHz coefficients and extends them to any rate.</summary>
    DeMan,
}

/// <summary>Which gating blocks a signal is cut into.</summary>
public enum LoudnessBlocks
{
    /// <summary>audiotools' Meter (julius unfold): ceil((max(n, block) - block) / hop) + 1 blocks, the last zero-padded.</summary>
    ZeroPadLast,
    /// <summary>BS.1770 as written: only blocks that lie wholly inside the signal (none if it is shorter than a block).</summary>
    WholeBlocks,
}

/// <summary>
/// Options of <see cref="LoudnessMeter"/>. The defaults are BS.1770-4's integrated loudness as audiotools measures it
/// (0.4 s blocks, 75 % overlap, absolute gate -70 LUFS, relative gate -10 LU, pyloudnorm's RBJ K-weighting, a zero-padded
/// last block); <see cref="Audiotools"/> adds what <c>AudioSignal.loudness()</c> does around the meter.
/// </summary>
/// <param name="BlockSeconds">Gating block length T_g (0.4 s).</param>
/// <param name="Overlap">Block overlap (0.75: a hop of 0.1 s).</param>
/// <param name="AbsoluteGateLufs">Blocks at or below this are ignored (-70).</param>
/// <param name="RelativeGateLu">Then blocks at or below (gated mean + this) are ignored (-10).</param>
/// <param name="Filter">K-weighting design.</param>
/// <param name="Blocks">Block framing.</param>
/// <param name="PadToSeconds">Zero-pad shorter signals at the end to this length before measuring (audiotools: 0.5 s).</param>
/// <param name="FloorLufs">The reading is at least this (audiotools' MIN_LOUDNESS -70; default: silence reads -infinity).</param>
public sealed record LoudnessMeterOptions(
    double BlockSeconds = 0.4,
    double Overlap = 0.75,
    double AbsoluteGateLufs = -70.0,
    double RelativeGateLu = -10.0,
    KWeightingDesign Filter = KWeightingDesign.Rbj,
    LoudnessBlocks Blocks = LoudnessBlocks.ZeroPadLast,
    double PadToSeconds = 0.0,
    double FloorLufs = double.NegativeInfinity)
{
    /// <summary>BS.1770-4 gating with the meter's defaults.</summary>
    public static LoudnessMeterOptions Default { get; } = new();

    /// <summary>audiotools' <c>AudioSignal.loudness()</c>: signals under 0.5 s zero-padded to 0.5 s, readings floored at -70 LUFS.</summary>
    public static LoudnessMeterOptions Audiotools { get; } = new(PadToSeconds: 0.5, FloorLufs: -70.0);
}

/// <summary>
/// ITU-R BS.1770-4 integrated loudness (LUFS): K-weighting (a high shelf then a high pass, designed for the meter's rate),
/// mean square per overlapping block, channel weights 1, 1, 1, 1.41, 1.41 (L, R, C, Ls, Rs), block loudness
/// -0.691 + 10 log10(sum G_i z_ij), an absolute then a relative gate, and the loudness of the mean of the blocks kept.
/// A 997 Hz or 1 kHz sine at 0 dBFS in one channel reads about -3.01 LUFS. Computed in double precision.
/// </summary>
public sealed class LoudnessMeter
{
    private static readonly double[] ChannelGains = [1.0, 1.0, 1.0, 1.41, 1.41];

    public LoudnessMeter(int sampleRate, LoudnessMeterOptions? options = null)
    {
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "must be positive");
        Options = options ?? LoudnessMeterOptions.Default;
        if (!(Options.BlockSeconds > 0) || Options.Overlap is < 0 or >= 1)
            throw new ArgumentException($"BlockSeconds must be positive and Overlap in [0, 1); got {Options.BlockSeconds}, {Options.Overlap}");
        SampleRate = sampleRate;
        BlockSamples = (int)(Options.BlockSeconds * sampleRate);
        HopSamples = (int)(Options.BlockSeconds * sampleRate * (1 - Options.Overlap));
        if (BlockSamples < 1 || HopSamples < 1) throw new ArgumentException($"a {Options.BlockSeconds} s block holds no sample at {sampleRate} Hz");
        Filters = KWeighting(sampleRate, Options.Filter);
    }

    public int SampleRate { get; }
    public LoudnessMeterOptions Options { get; }
    public int BlockSamples { get; }
    public int HopSamples { get; }
    /// <summary>The K-weighting stages, applied in order: high shelf, high pass.</summary>
    public IReadOnlyList<Biquad> Filters { get; }

    /// <summary>The two K-weighting biquads for <paramref name="sampleRate"/> (pyloudnorm's IIRfilter formulas).</summary>
    public static Biquad[] KWeighting(int sampleRate, KWeightingDesign design)
    {
        double rate = sampleRate;
        if (design == KWeightingDesign.DeMan)
        {
            // Fitted to the 48 kHz coefficients of BS.1770: gain, Q and corner as fractional numbers.
            const double shelfGain = 3.99984385397, shelfQ = 0.7071752369554193, shelfHz = 1681.9744509555319;
            const double passQ = 0.5003270373253953, passHz = 38.13547087613982;
            double k = Math.Tan(Math.PI * shelfHz / rate);
            double vh = Math.Pow(10, shelfGain / 20), vb = Math.Pow(vh, 0.499666774155);
            double a0 = 1 + k / shelfQ + k * k;
            var shelf = new Biquad((vh + vb * k / shelfQ + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / shelfQ + k * k) / a0,
                2 * (k * k - 1) / a0, (1 - k / shelfQ + k * k) / a0);
            k = Math.Tan(Math.PI * passHz / rate);
            double p0 = 1 + k / passQ + k * k;
            var pass = new Biquad(1, -2, 1, 2 * (k * k - 1) / p0, (1 - k / passQ + k * k) / p0);
            return [shelf, pass];
        }
        // RBJ cookbook: high shelf G = 4 dB, Q = 1/sqrt(2), 1500 Hz; high pass Q = 0.5, 38 Hz.
        return [Biquad.HighShelf(sampleRate, 1500.0, 4.0, q: 1 / Math.Sqrt(2)), Biquad.HighPass(sampleRate, 38.0, 0.5)];
    }

    /// <summary>Integrated loudness of a mono signal (LUFS).</summary>
    public double Integrated(ReadOnlySpan<float> mono)
    {
        var copy = mono.ToArray();
        return Integrated([copy]);
    }

    /// <summary>
    /// Integrated loudness of a multichannel signal (channel-major, equal lengths, at most 5 channels in the order
    /// L, R, C, Ls, Rs). -infinity when no block passes the absolute gate (unless <see cref="LoudnessMeterOptions.FloorLufs"/>).
    /// </summary>
    public double Integrated(IReadOnlyList<float[]> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count is < 1 or > 5) throw new ArgumentException($"loudness needs 1 to 5 channels, got {channels.Count}");
        int n = channels[0].Length;
        if (channels.Any(c => c.Length != n)) throw new ArgumentException("channels differ in length");
        int length = Math.Max(n, (int)((Options.PadToSeconds - n / (double)SampleRate) * SampleRate) + n);

        int blocks = Options.Blocks == LoudnessBlocks.ZeroPadLast
            ? (int)Math.Ceiling((Math.Max(length, BlockSamples) - BlockSamples) / (double)HopSamples) + 1
            : length < BlockSamples ? 0 : (length - BlockSamples) / HopSamples + 1;
        // z[c, j]: mean square of the K-weighted channel c over block j, divided by T_g x rate as BS.1770 (eq. 1).
        var z = new double[channels.Count, blocks];
        double norm = 1.0 / (Options.BlockSeconds * SampleRate);
        var filtered = new double[Math.Max(length, (blocks - 1) * HopSamples + BlockSamples)];
        for (int c = 0; c < channels.Count; c++)
        {
            Array.Clear(filtered);
            for (int i = 0; i < n; i++) filtered[i] = channels[c][i];
            var signal = filtered.AsSpan(0, length);
            foreach (var stage in Filters) stage.Apply(signal, signal);
            for (int j = 0; j < blocks; j++)
            {
                double sum = 0;
                foreach (var v in filtered.AsSpan(j * HopSamples, BlockSamples)) sum += v * v;
                z[c, j] = sum * norm;
            }
        }
        var blockLoudness = new double[blocks];
        for (int j = 0; j < blocks; j++)
        {
            double s = 0;
            for (int c = 0; c < channels.Count; c++) s += ChannelGains[c] * z[c, j];
            blockLoudness[j] = -0.691 + 10 * Math.Log10(s);
        }
        double Gated(double threshold)
        {
            double total = 0;
            int kept = 0;
            var mean = new double[channels.Count];
            for (int j = 0; j < blocks; j++)
            {
                if (!(blockLoudness[j] > Options.AbsoluteGateLufs && blockLoudness[j] > threshold)) continue;
                kept++;
                for (int c = 0; c < channels.Count; c++) mean[c] += z[c, j];
            }
            if (kept == 0) return double.NegativeInfinity;
            for (int c = 0; c < channels.Count; c++) total += ChannelGains[c] * mean[c] / kept;
            return -0.691 + 10 * Math.Log10(total);
        }
        double relative = Gated(double.NegativeInfinity) + Options.RelativeGateLu;
        double loudness = Gated(relative);
        return Math.Max(loudness, Options.FloorLufs);
    }

    /// <summary>Gain (linear) that brings a signal measured at <paramref name="lufs"/> to <paramref name="targetLufs"/>: exp((target - lufs) ln 10 / 20).</summary>
    public static double NormalisingGain(double lufs, double targetLufs) => Math.Exp((targetLufs - lufs) * Math.Log(10) / 20);
}
