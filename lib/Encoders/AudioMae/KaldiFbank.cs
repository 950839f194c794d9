namespace PianoJudges.Encoders.AudioMae;

using TorchSharp;
using static TorchSharp.torch;

/// <summary>Kaldi's frame window functions (torchaudio.compliance.kaldi window_type).</summary>
public enum KaldiWindow
{
    Hamming,
    Hanning,
    /// <summary>Kaldi's default: a Hann window raised to the power 0.85.</summary>
    Povey,
    Rectangular,
    Blackman,
}

/// <summary>
/// Options of <see cref="KaldiFbank"/>, named as torchaudio.compliance.kaldi.fbank names them, with its defaults.
/// Only snip_edges = true, dither = 0, use_energy = false, vtln_warp = 1 and subtract_mean = false are supported:
/// the Audio-MAE front end uses exactly those (with use_energy = false, htk_compat changes nothing).
/// </summary>
/// <param name="SampleFrequency">Hz (sample_frequency, default 16000).</param>
/// <param name="FrameLength">Window length in ms (frame_length, default 25).</param>
/// <param name="FrameShift">Hop in ms (frame_shift, default 10).</param>
/// <param name="NumMelBins">num_mel_bins (default 23).</param>
/// <param name="LowFreq">Lowest mel edge in Hz (low_freq, default 20).</param>
/// <param name="HighFreq">Highest mel edge in Hz; zero or negative is an offset from Nyquist (high_freq, default 0).</param>
/// <param name="PreemphasisCoefficient">preemphasis_coefficient (default 0.97).</param>
/// <param name="RemoveDcOffset">Subtract each frame's mean (remove_dc_offset, default true).</param>
/// <param name="RoundToPowerOfTwo">Zero-pad each frame to the next power of two for the FFT (default true).</param>
/// <param name="WindowType">window_type (default povey).</param>
/// <param name="BlackmanCoeff">blackman_coeff (default 0.42).</param>
/// <param name="UsePower">Power (true) or magnitude spectrum (use_power, default true).</param>
/// <param name="UseLogFbank">Natural log of the mel energies floored at float32 epsilon (use_log_fbank, default true).</param>
public sealed record KaldiFbankOptions(
    double SampleFrequency = 16000.0,
    double FrameLength = 25.0,
    double FrameShift = 10.0,
    int NumMelBins = 23,
    double LowFreq = 20.0,
    double HighFreq = 0.0,
    double PreemphasisCoefficient = 0.97,
    bool RemoveDcOffset = true,
    bool RoundToPowerOfTwo = true,
    KaldiWindow WindowType = KaldiWindow.Povey,
    double BlackmanCoeff = 0.42,
    bool UsePower = true,
    bool UseLogFbank = true)
{
    /// <summary>Audio-MAE's call: htk_compat, use_energy false, hanning, 128 bins, dither 0, 10 ms shift, the rest default.</summary>
    public static KaldiFbankOptions AudioMae(int sampleRate) =>
        new(SampleFrequency: sampleRate, NumMelBins: 128, WindowType: KaldiWindow.Hanning);

    /// <summary>Samples per frame: int(sample_frequency * frame_length / 1000), truncated as Kaldi does.</summary>
    public int WindowSize => (int)(SampleFrequency * FrameLength * 0.001);

    /// <summary>Samples between frames: int(sample_frequency * frame_shift / 1000).</summary>
    public int WindowShift => (int)(SampleFrequency * FrameShift * 0.001);

    /// <summary>FFT length.</summary>
    public int PaddedWindowSize => RoundToPowerOfTwo ? (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)WindowSize) : WindowSize;

    /// <summary>Frames for a waveform of <paramref name="samples"/> samples (snip_edges: only whole windows).</summary>
    public int FrameCount(int samples) => samples < WindowSize ? 0 : 1 + (samples - WindowSize) / WindowShift;

    internal void Validate()
    {
        if (SampleFrequency <= 0) throw new ArgumentException($"SampleFrequency must be positive, got {SampleFrequency}");
        if (WindowSize < 2) throw new ArgumentException($"FrameLength {FrameLength} ms at {SampleFrequency} Hz gives a window of {WindowSize} samples; at least 2 are needed");
        if (WindowShift <= 0) throw new ArgumentException($"FrameShift {FrameShift} ms at {SampleFrequency} Hz gives a shift of {WindowShift} samples; it must be positive");
        if (PaddedWindowSize % 2 != 0) throw new ArgumentException($"the padded window size {PaddedWindowSize} must be even; use RoundToPowerOfTwo or change FrameLength");
        if (PreemphasisCoefficient is < 0 or > 1) throw new ArgumentException($"PreemphasisCoefficient must be in [0, 1], got {PreemphasisCoefficient}");
        if (NumMelBins <= 3) throw new ArgumentException($"NumMelBins must be more than 3, got {NumMelBins}");
        double nyquist = 0.5 * SampleFrequency, high = HighFreq <= 0 ? HighFreq + nyquist : HighFreq;
        if (!(LowFreq >= 0 && LowFreq < nyquist && high > 0 && high <= nyquist && LowFreq < high))
            throw new ArgumentException($"bad LowFreq {LowFreq} / HighFreq {HighFreq} for Nyquist {nyquist}");
    }
}

/// <summary>
/// Kaldi-compatible log mel filterbank, computed as torchaudio.compliance.kaldi.fbank does: frames of
/// frame_length every frame_shift (only frames that fit), per-frame DC removal, pre-emphasis
/// x[j] - c x[max(0, j-1)], window, zero-pad to a power of two, |rfft|^2, triangular mel filters on the
/// HTK mel scale 1127 ln(1 + f/700) spaced evenly between low_freq and high_freq, log(max(e, eps)).
/// Reference: Povey et al., "The Kaldi Speech Recognition Toolkit" (2011), compute-fbank-feats.
/// </summary>
public static class KaldiFbank
{
    /// <summary>torch.finfo(torch.float32).eps, Kaldi's floor before the log.</summary>
    public const float Float32Epsilon = 1.1920929e-07f;

    /// <summary>Computes the filterbank of a mono waveform.</summary>
    /// <returns>float32 tensor (frames, NumMelBins); frames = <see cref="KaldiFbankOptions.FrameCount"/>, possibly 0.</returns>
    public static Tensor Compute(ReadOnlySpan<float> waveform, KaldiFbankOptions options)
    {
        options.Validate();
        int frames = options.FrameCount(waveform.Length);
        if (frames == 0) return zeros(0, options.NumMelBins);
        using var scope = NewDisposeScope();
        var x = tensor(waveform.ToArray());
        var strided = x.as_strided([frames, options.WindowSize], [options.WindowShift, 1]);
        return FromFrames(strided, options).MoveToOuterDisposeScope();
    }

    /// <summary>The mel filterbank matrix, (NumMelBins, PaddedWindowSize/2 + 1), its last (Nyquist) column zero as in Kaldi.</summary>
    public static float[,] MelBanks(KaldiFbankOptions options)
    {
        options.Validate();
        int padded = options.PaddedWindowSize, numFftBins = padded / 2, bins = options.NumMelBins;
        double nyquist = 0.5 * options.SampleFrequency;
        double high = options.HighFreq <= 0 ? options.HighFreq + nyquist : options.HighFreq;
        double fftBinWidth = options.SampleFrequency / padded;
        double melLow = MelScale(options.LowFreq), melHigh = MelScale(high);
        double delta = (melHigh - melLow) / (bins + 1);
        var banks = new float[bins, numFftBins + 1];
        for (int b = 0; b < bins; b++)
        {
            double left = melLow + b * delta, centre = melLow + (b + 1) * delta, right = melLow + (b + 2) * delta;
            for (int k = 0; k < numFftBins; k++)
            {
                double mel = MelScale(fftBinWidth * k);
                double up = (mel - left) / (centre - left), down = (right - mel) / (right - centre);
                banks[b, k] = (float)Math.Max(0.0, Math.Min(up, down));
            }
        }
        return banks;
    }

    /// <summary>HTK mel scale as Kaldi uses it: 1127 ln(1 + f / 700).</summary>
    public static double MelScale(double hz) => 1127.0 * Math.Log(1.0 + hz / 700.0);

    /// <summary>The frame window, float64, length WindowSize (symmetric, i.e. periodic = false).</summary>
    public static double[] Window(KaldiFbankOptions options)
    {
        int n = options.WindowSize;
        var w = new double[n];
        double a = 2 * Math.PI / (n - 1);
        for (int i = 0; i < n; i++)
        {
            double hann = 0.5 - 0.5 * Math.Cos(a * i);
            w[i] = options.WindowType switch
            {
                KaldiWindow.Hanning => hann,
                KaldiWindow.Povey => Math.Pow(hann, 0.85),
                KaldiWindow.Hamming => 0.54 - 0.46 * Math.Cos(a * i),
                KaldiWindow.Rectangular => 1.0,
                KaldiWindow.Blackman => options.BlackmanCoeff - 0.5 * Math.Cos(a * i) + (0.5 - options.BlackmanCoeff) * Math.Cos(2 * a * i),
                _ => throw new ArgumentOutOfRangeException(nameof(options), options.WindowType, "unknown window type"),
            };
        }
        return w;
    }

    private static Tensor FromFrames(Tensor strided, KaldiFbankOptions options)
    {
        var frames = strided;
        if (options.RemoveDcOffset)
            frames = frames - frames.mean([1], keepdim: true);
        if (options.PreemphasisCoefficient != 0.0)
        {
            var previous = cat([frames.narrow(1, 0, 1), frames.narrow(1, 0, options.WindowSize - 1)], 1);
            frames = frames - options.PreemphasisCoefficient * previous;
        }
        var window = tensor(Window(options).Select(v => (float)v).ToArray());
        frames = frames * window.unsqueeze(0);
        if (options.PaddedWindowSize != options.WindowSize)
            frames = nn.functional.pad(frames, [0, options.PaddedWindowSize - options.WindowSize]);

        var spectrum = fft.rfft(frames).abs();
        if (options.UsePower) spectrum = spectrum.square(); // square(), not pow(2.0): TorchSharp 0.107 can finalise the temporary Scalar during the call
        var banks = tensor(MelBanks(options));
        var mel = spectrum.mm(banks.t());
        if (options.UseLogFbank)
            mel = mel.clamp_min(Float32Epsilon).log();
        return mel.contiguous();
    }
}
