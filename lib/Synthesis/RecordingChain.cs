namespace PianoJudges.Synthesis;

using PianoJudges.Audio;

/// <summary>
/// How a recording was made: the room, the microphone and the recorder. Varied per recording so that the
/// labels cannot be read off the recording chain, unless it is tied to the label on purpose (the real data's confound).
/// </summary>
/// <param name="Quality">0 = a phone in a living room, 1 = a studio; the other fields are drawn around it.</param>
/// <param name="Rt60">Reverberation time of the room, seconds.</param>
/// <param name="ReverbMix">Level of the reverberant sound relative to the direct sound.</param>
/// <param name="RoomScale">Scales the reverb's delay lengths (small room &lt; 1 &lt; hall).</param>
/// <param name="HighpassHz">Microphone / recorder low cut.</param>
/// <param name="LowpassHz">Upper band limit (phones and lossy codecs cut the top).</param>
/// <param name="LowShelfDb">Bass tilt of the microphone and placement (shelf at 200 Hz).</param>
/// <param name="PresenceHz">Centre of the microphone's presence peak or dip.</param>
/// <param name="PresenceDb">Gain of that peak (negative: a dip).</param>
/// <param name="HighShelfDb">Treble tilt (shelf at 5 kHz).</param>
/// <param name="Drive">Soft saturation of an overloaded or automatically gained recorder (0 = none).</param>
/// <param name="LoudnessDb">RMS level of the music, dBFS: uploads are mastered, or levelled by the phone's automatic gain, to a similar loudness; peaks above <see cref="CeilingDb"/> are soft-limited.</param>
/// <param name="NoiseDb">Noise floor, dBFS (RMS).</param>
/// <param name="HumDb">Mains hum level, dBFS, or null for none.</param>
/// <param name="HumHz">Mains frequency (50 or 60 Hz).</param>
public sealed record RecordingConditions(
    double Quality, double Rt60, double ReverbMix, double RoomScale, double HighpassHz, double LowpassHz,
    double LowShelfDb, double PresenceHz, double PresenceDb, double HighShelfDb, double Drive, double LoudnessDb,
    double NoiseDb, double? HumDb, double HumHz)
{
    /// <summary>Where the limiter starts, dBFS.</summary>
    public const double CeilingDb = -1;

    /// <summary>Conditions drawn around <paramref name="quality"/> (0..1), or around a uniform random quality when null.</summary>
    public static RecordingConditions Sample(SynthRng rng, double? quality = null)
    {
        double q = Math.Clamp(quality ?? rng.NextDouble(), 0, 1), u = 1 - q;
        return new RecordingConditions(
            Quality: q,
            Rt60: Math.Clamp(rng.Uniform(0.3, 0.8) + q * rng.Uniform(0.2, 1.4), 0.2, 2.5),
            ReverbMix: rng.Uniform(0.08, 0.35),
            RoomScale: rng.Uniform(0.6, 0.9) + 0.6 * q,
            HighpassHz: 25 + 200 * u * rng.NextDouble(),
            LowpassHz: u > 0.5 && rng.Chance(u) ? rng.Uniform(5000, 9000) : 20000,
            LowShelfDb: rng.Gaussian(-2 * u, 3),
            PresenceHz: rng.Uniform(1000, 4500),
            PresenceDb: rng.Gaussian(0, 2 + 3 * u),
            HighShelfDb: rng.Gaussian(-3 * u, 3),
            Drive: u * u * rng.Uniform(0, 3),
            LoudnessDb: rng.Uniform(-23, -19),
            NoiseDb: -80 + 40 * u + rng.Gaussian(0, 4),
            HumDb: rng.Chance(0.6 * u) ? -70 + 20 * u + rng.Gaussian(0, 3) : null,
            HumHz: rng.Chance(0.5) ? 50 : 60);
    }

    /// <summary>
    /// These conditions moved towards <paramref name="reference"/>: <paramref name="variety"/> 1 keeps them, 0 gives the
    /// reference (every number interpolated; hum kept only where both have it, as it would fade in otherwise).
    /// </summary>
    public RecordingConditions Towards(RecordingConditions reference, double variety)
    {
        if (!(variety is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(variety), $"recording variety must be in [0, 1], got {variety}");
        if (variety == 1) return this;
        double L(double r, double x) => r + variety * (x - r);
        return new RecordingConditions(L(reference.Quality, Quality), L(reference.Rt60, Rt60), L(reference.ReverbMix, ReverbMix),
            L(reference.RoomScale, RoomScale), L(reference.HighpassHz, HighpassHz), L(reference.LowpassHz, LowpassHz),
            L(reference.LowShelfDb, LowShelfDb), L(reference.PresenceHz, PresenceHz), L(reference.PresenceDb, PresenceDb),
            L(reference.HighShelfDb, HighShelfDb), L(reference.Drive, Drive), L(reference.LoudnessDb, LoudnessDb), L(reference.NoiseDb, NoiseDb),
            HumDb is { } h && reference.HumDb is { } rh ? L(rh, h) : null, variety >= 0.5 ? HumHz : reference.HumHz);
    }

    /// <summary>Applies room, microphone, recorder and noise to <paramref name="audio"/> in place.</summary>
    public void Apply(float[] audio, int sampleRate, SynthRng rng)
    {
        var wet = Reverb(audio, sampleRate);
        for (int i = 0; i < audio.Length; i++) audio[i] += (float)ReverbMix * wet[i];
        Biquad.HighPass(sampleRate, HighpassHz, 0.707).Process(audio);
        Biquad.LowShelf(sampleRate, 200, LowShelfDb).Process(audio);
        Biquad.Peaking(sampleRate, PresenceHz, 1.0, PresenceDb).Process(audio);
        Biquad.HighShelf(sampleRate, 5000, HighShelfDb).Process(audio);
        if (LowpassHz < 0.45 * sampleRate)
        {
            Biquad.LowPass(sampleRate, LowpassHz, 0.707).Process(audio);
            Biquad.LowPass(sampleRate, LowpassHz, 0.707).Process(audio);
        }
        float peak = System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(audio);
        if (peak > 0)
        {
            if (Drive > 0.05)
            {
                float d = (float)Drive, norm = 1f / MathF.Tanh(d), scale = 1f / peak;
                for (int i = 0; i < audio.Length; i++) audio[i] = MathF.Tanh(d * audio[i] * scale) * norm;
            }
            // Loudness, not peak, is what mastering and automatic gain hold steady: a peak-normalised quiet piece would
            // come out many dB softer than a dense one, a level difference no real upload shows.
            double rms = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(audio) / audio.Length);
            if (rms > 0)
                System.Numerics.Tensors.TensorPrimitives.Multiply(audio, (float)(Math.Pow(10, LoudnessDb / 20) / rms), audio);
            float ceiling = (float)Math.Pow(10, CeilingDb / 20), room = 1f - ceiling;
            for (int i = 0; i < audio.Length; i++)
            {
                float m = MathF.Abs(audio[i]);
                if (m > ceiling) audio[i] = MathF.CopySign(ceiling + room * MathF.Tanh((m - ceiling) / room), audio[i]);
            }
        }
        // Noise: white through a one-pole low-pass, a rough room/preamp spectrum.
        double noiseRms = Math.Pow(10, NoiseDb / 20), hum = HumDb is { } h ? Math.Pow(10, h / 20) * Math.Sqrt(2) : 0;
        double lp = 0, a = 0.6, norm2 = Math.Sqrt((1 + a) / (1 - a)); // keeps the filtered noise at unit RMS
        double w = 2 * Math.PI * HumHz / sampleRate;
        for (int i = 0; i < audio.Length; i++)
        {
            lp = a * lp + (1 - a) * rng.Gaussian();
            double x = audio[i] + noiseRms * lp * norm2 + hum * (Math.Sin(w * i) + 0.3 * Math.Sin(3 * w * i));
            audio[i] = (float)Math.Clamp(x, -1.0, 1.0);
        }
    }

    /// <summary>
    /// A feedback delay network (Jot &amp; Chaigne 1991): 8 delay lines mixed by a Householder matrix, each line's
    /// gain set for the room's RT60 and a one-pole low-pass so that the treble dies sooner, as in real rooms.
    /// </summary>
    private float[] Reverb(float[] input, int sampleRate)
    {
        int[] basis = [1433, 1601, 1867, 2053, 2251, 2399, 2617, 2797]; // mutually prime, at 44.1 kHz
        const int n = 8;
        var lines = new float[n][];
        var pos = new int[n];
        var gain = new double[n];
        var damp = new double[n];
        for (int k = 0; k < n; k++)
        {
            int len = Math.Max(16, (int)(basis[k] * RoomScale * sampleRate / 44100.0));
            lines[k] = new float[len];
            gain[k] = Math.Pow(10, -3.0 * len / (Rt60 * sampleRate));
        }
        var output = new float[input.Length];
        Span<double> y = stackalloc double[n];
        const double lowpass = 0.35;
        for (int i = 0; i < input.Length; i++)
        {
            double sum = 0, outSample = 0;
            for (int k = 0; k < n; k++)
            {
                double v = lines[k][pos[k]];
                damp[k] = (1 - lowpass) * v + lowpass * damp[k];
                y[k] = damp[k] * gain[k];
                sum += y[k];
                outSample += (k & 1) == 0 ? v : -v;
            }
            double feedback = 2.0 / n * sum;
            double x = input[i];
            for (int k = 0; k < n; k++)
            {
                lines[k][pos[k]] = (float)(y[k] - feedback + x);
                if (++pos[k] == lines[k].Length) pos[k] = 0;
            }
            output[i] = (float)(outSample / n);
        }
        return output;
    }
}
