namespace PianoJudges.Encoders;

using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

/// <summary>Hz to mel conversion: HTK (O'Shaughnessy 1987) or Slaney's Auditory Toolbox (linear below 1 kHz, log above).</summary>
public enum MelScale { Htk, Slaney }

/// <summary>Filter normalisation: none (peak 1, torchaudio's default) or Slaney's equal-area (divide by half the band width in Hz).</summary>
public enum MelNorm { None, Slaney }

/// <summary>How a centred STFT pads the signal ends (n_fft/2 each side), as torch.nn.functional.pad names them.</summary>
public enum PadMode { Reflect, Constant, Replicate, Circular }

/// <summary>What is applied to the mel energies: nothing, natural log, or decibels; both floor the energy at amin first.</summary>
public enum SpectrogramLog { None, Log, Db }

/// <summary>
/// Options of the mel spectrogram, named as in torchaudio.transforms.MelSpectrogram / librosa.
/// Defaults are the call in the paper's released code, <c>MelSpectrogram(sample_rate=24000, n_fft=400,
/// hop_length=160, n_mels=128)</c>, with torchaudio's defaults for everything else: periodic Hann window of
/// win_length = n_fft, centred frames with reflect padding, power 2, HTK mel scale from 0 Hz to sample_rate // 2,
/// no filter normalisation, no log. (torchaudio's own hop default would be win_length // 2; the paper passes 160.)
/// </summary>
/// <param name="SampleRate">sample_rate, Hz.</param>
/// <param name="NFft">n_fft: DFT size; n_fft // 2 + 1 frequency bins.</param>
/// <param name="WinLength">win_length: Hann window length (null = n_fft); zero-padded on both sides to n_fft.</param>
/// <param name="HopLength">hop_length: samples between frame starts.</param>
/// <param name="FMin">f_min, Hz.</param>
/// <param name="FMax">f_max, Hz (null = sample_rate // 2, as torchaudio).</param>
/// <param name="NMels">n_mels: number of triangular filters.</param>
/// <param name="Power">power: exponent of the magnitude (2 = power spectrum, 1 = magnitude).</param>
/// <param name="Center">center: pad n_fft // 2 on both sides so frame t is centred on sample t * hop_length.</param>
/// <param name="PadMode">pad_mode used when centring.</param>
/// <param name="MelScale">mel_scale: htk or slaney.</param>
/// <param name="Norm">norm: none or slaney (area normalisation).</param>
/// <param name="Log">Log compression after the filterbank (not part of torchaudio's MelSpectrogram; AmplitudeToDB's formula for db).</param>
/// <param name="Amin">Floor applied before log / db (torchaudio AmplitudeToDB's amin); top_db is not offered.</param>
public sealed record MelSpectrogramOptions(
    int SampleRate = 24000,
    int NFft = 400,
    int? WinLength = null,
    int HopLength = 160,
    double FMin = 0.0,
    double? FMax = null,
    int NMels = 128,
    double Power = 2.0,
    bool Center = true,
    PadMode PadMode = PadMode.Reflect,
    MelScale MelScale = MelScale.Htk,
    MelNorm Norm = MelNorm.None,
    SpectrogramLog Log = SpectrogramLog.None,
    double Amin = 1e-10)
{
    /// <summary>The paper's released-code call (see the type's summary).</summary>
    public static MelSpectrogramOptions Paper { get; } = new();

    /// <summary>win_length with its default resolved.</summary>
    public int EffectiveWinLength => WinLength ?? NFft;

    /// <summary>f_max with its default resolved: float(sample_rate // 2), as torchaudio.</summary>
    public double EffectiveFMax => FMax ?? SampleRate / 2;

    /// <summary>n_fft // 2 + 1.</summary>
    public int FrequencyBins => NFft / 2 + 1;

    /// <summary>Frames per second: sample_rate / hop_length.</summary>
    public double FrameRate => (double)SampleRate / HopLength;

    /// <summary>Number of STFT frames for a signal of <paramref name="samples"/> samples (torch.stft's count).</summary>
    public int FrameCount(int samples)
    {
        long padded = Center ? samples + 2L * (NFft / 2) : samples;
        return padded < NFft ? 0 : (int)(1 + (padded - NFft) / HopLength);
    }

    /// <summary>Every setting as invariant text (for cache keys).</summary>
    public string ToKey()
    {
        static string Lower<T>(T value) where T : Enum => value.ToString().ToLowerInvariant();
        var parts = new List<string>
        {
            $"sample_rate={SampleRate}", $"n_fft={NFft}", $"win_length={EffectiveWinLength}", $"hop_length={HopLength}",
            FormattableString.Invariant($"f_min={FMin:R}"), FormattableString.Invariant($"f_max={EffectiveFMax:R}"),
            $"n_mels={NMels}", FormattableString.Invariant($"power={Power:R}"), $"center={(Center ? "true" : "false")}",
            $"pad_mode={Lower(PadMode)}", $"mel_scale={Lower(MelScale)}", $"norm={Lower(Norm)}", $"log={Lower(Log)}",
        };
        if (Log != SpectrogramLog.None) parts.Add(FormattableString.Invariant($"amin={Amin:R}"));
        return string.Join(';', parts);
    }

    internal void Validate()
    {
        static ArgumentException Bad(string what) => new($"MelSpectrogramOptions: {what}");
        if (SampleRate <= 0) throw Bad($"sample_rate must be positive, got {SampleRate}");
        if (NFft < 2) throw Bad($"n_fft must be at least 2, got {NFft}");
        if (EffectiveWinLength < 1 || EffectiveWinLength > NFft) throw Bad($"win_length must be in 1..n_fft={NFft}, got {EffectiveWinLength}");
        if (HopLength <= 0) throw Bad($"hop_length must be positive, got {HopLength}");
        if (NMels <= 0) throw Bad($"n_mels must be positive, got {NMels}");
        if (!(FMin >= 0)) throw Bad($"f_min must be >= 0, got {FMin}");
        if (!(EffectiveFMax > FMin)) throw Bad($"f_max must be greater than f_min={FMin}, got {EffectiveFMax}");
        if (!(Power > 0) || double.IsInfinity(Power)) throw Bad($"power must be a positive number, got {Power}");
        if (Log != SpectrogramLog.None && !(Amin > 0)) throw Bad($"amin must be positive, got {Amin}");
        if (!Enum.IsDefined(PadMode)) throw Bad($"pad_mode {PadMode} is not one of reflect, constant, replicate, circular");
        if (!Enum.IsDefined(MelScale)) throw Bad($"mel_scale {MelScale} is not one of htk, slaney");
        if (!Enum.IsDefined(Norm)) throw Bad($"norm {Norm} is not one of none, slaney");
        if (!Enum.IsDefined(Log)) throw Bad($"log {Log} is not one of none, log, db");
    }
}

/// <summary>
/// Mel spectrogram of a mono waveform, equal to torchaudio.transforms.MelSpectrogram (torch.stft with a periodic
/// Hann window, then <c>melscale_fbanks</c>) up to float32 rounding.
/// <para>
/// The power spectrum is a real-DFT matrix product rather than an FFT: with y = window * frame and N = n_fft,
/// Re X_k = sum_n y_n cos(2 pi k n / N) and Im X_k = -sum_n y_n sin(2 pi k n / N). Two symmetries quarter the work:
/// pairing n with N - n (cos is even, sin odd about N/2) folds each frame to a_n = y_n + y_{N-n} and
/// b_n = y_n - y_{N-n}, n = 0..N/2; and for even N, cos and sin of bin N/2 - k equal those of bin k up to the sign
/// (-1)^n, so the sums over even n (E) and odd n (O) give Re X_k = E + O and Re X_{N/2-k} = +-(E - O) (likewise Im).
/// Each frame then costs four products of about N/4 bins by N/4 terms, computed for blocks of frames by a
/// register-blocked matrix multiply (6 frames x 2 vectors of bins). The filterbank is applied sparsely.
/// </para>
/// Thread-safe: all state is read-only after construction.
/// </summary>
public sealed class MelSpectrogram
{
    private const int RowTile = 6;      // frames per micro-kernel tile
    private const int FrameBlock = 96;  // frames folded and multiplied at once (a multiple of RowTile)

    /// <summary>One matrix product: the folded terms n in <see cref="Ns"/> times the basis f(2 pi k n / N).</summary>
    /// <param name="Basis">(computedBinsPadded / colTile, Ns.Length, colTile), tile-packed for the micro-kernel.</param>
    private sealed record Product(int[] Ns, float[] Basis);

    private readonly int _bins;              // n_fft // 2 + 1
    private readonly bool _split;            // even n_fft: bins k and N/2 - k share one product (E +- O)
    private readonly int _computed;          // bins whose sums are computed: N/4 + 1 when split, else all
    private readonly int _computedPadded;    // _computed rounded up to the column tile
    private readonly int _colTile;           // bins per micro-kernel tile: two vectors of the widest accelerated width
    private readonly Product[] _products;    // split: cos even n, cos odd n, sin even n, sin odd n; else: cos, sin
    private readonly float[] _window;        // (n_fft), periodic Hann centred in n_fft
    private readonly int[] _filterStart;     // per mel band: first bin with a nonzero weight
    private readonly int[] _filterOffset;    // per mel band: offset of its weights in _filterWeights (length n_mels + 1)
    private readonly float[] _filterWeights;

    public MelSpectrogram(MelSpectrogramOptions? options = null)
    {
        Options = options ?? MelSpectrogramOptions.Paper;
        Options.Validate();
        int n = Options.NFft, half = n / 2;
        _bins = Options.FrequencyBins;
        _split = n % 2 == 0;
        _computed = _split ? half / 2 + 1 : _bins;
        _colTile = Vector512.IsHardwareAccelerated ? 32 : 16;
        _computedPadded = (_computed + _colTile - 1) / _colTile * _colTile;
        // Folded cos terms: n = 0..N/2 (N even) or 0..(N-1)/2; sin terms: the same without n = 0 and n = N/2.
        int lastCos = half, lastSin = (n - 1) / 2;
        var cosNs = Enumerable.Range(0, lastCos + 1);
        var sinNs = Enumerable.Range(1, lastSin);
        _products = _split
            ?
            [
                Pack(Math.Cos, cosNs.Where(i => i % 2 == 0)), Pack(Math.Cos, cosNs.Where(i => i % 2 == 1)),
                Pack(Math.Sin, sinNs.Where(i => i % 2 == 0)), Pack(Math.Sin, sinNs.Where(i => i % 2 == 1)),
            ]
            : [Pack(Math.Cos, cosNs), Pack(Math.Sin, sinNs)];
        _window = HannWindow(Options.EffectiveWinLength, n);
        var filterbank = MelFilterbank(_bins, Options.FMin, Options.EffectiveFMax, Options.NMels, Options.SampleRate, Options.Norm, Options.MelScale);
        (_filterStart, _filterOffset, _filterWeights) = Sparsify(filterbank, _bins, Options.NMels);
        Filterbank = Array.AsReadOnly(filterbank);
    }

    public MelSpectrogramOptions Options { get; }

    /// <summary>The filterbank as torchaudio's <c>melscale_fbanks</c> returns it: (n_freqs, n_mels), row-major.</summary>
    public IReadOnlyList<float> Filterbank { get; }

    /// <summary>Number of output frames for a signal of <paramref name="samples"/> samples.</summary>
    public int FrameCount(int samples) => Options.FrameCount(samples);

    /// <summary>
    /// Computes the mel spectrogram of <paramref name="waveform"/>.
    /// </summary>
    /// <returns>Frame-major (frames, n_mels) row-major floats: the transpose of torchaudio's (n_mels, frames).</returns>
    public float[] Forward(ReadOnlySpan<float> waveform)
    {
        int frames = FrameCount(waveform.Length);
        var result = new float[(long)frames * Options.NMels];
        Forward(waveform, result, frames);
        return result;
    }

    /// <summary>
    /// Writes the first <paramref name="frames"/> frames of the mel spectrogram of <paramref name="waveform"/>
    /// into <paramref name="destination"/>, frame-major (frames, n_mels).
    /// </summary>
    public void Forward(ReadOnlySpan<float> waveform, Span<float> destination, int frames)
    {
        if (waveform.IsEmpty) throw new ArgumentException("the waveform is empty", nameof(waveform));
        int available = FrameCount(waveform.Length);
        if (frames < 0 || frames > available)
            throw new ArgumentOutOfRangeException(nameof(frames), $"{waveform.Length} samples give {available} frames; {frames} requested");
        int nMels = Options.NMels;
        if (destination.Length < (long)frames * nMels)
            throw new ArgumentException($"destination holds {destination.Length} values; {frames} frames x {nMels} mels needed", nameof(destination));
        if (frames == 0) return;

        int n = Options.NFft;
        int pad = Options.Center ? n / 2 : 0;
        if (Options.Center && Options.PadMode is PadMode.Reflect && waveform.Length <= pad)
            throw new ArgumentException($"reflect padding of {pad} samples needs a signal longer than {pad} samples, got {waveform.Length}", nameof(waveform));
        if (Options.Center && Options.PadMode is PadMode.Circular && waveform.Length < pad)
            throw new ArgumentException($"circular padding of {pad} samples needs at least {pad} samples, got {waveform.Length}", nameof(waveform));

        int paddedLength = waveform.Length + 2 * pad;
        int blockRows = Math.Min(FrameBlock, (frames + RowTile - 1) / RowTile * RowTile);
        var pool = ArrayPool<float>.Shared;
        float[] padded = pool.Rent(paddedLength);
        var inputs = new float[_products.Length][];
        var outputs = new float[_products.Length][];
        for (int g = 0; g < _products.Length; g++)
        {
            inputs[g] = pool.Rent(Math.Max(1, blockRows * _products[g].Ns.Length));
            outputs[g] = pool.Rent(blockRows * _computedPadded);
        }
        float[] power = pool.Rent(4 * _bins);
        try
        {
            Pad(waveform, padded.AsSpan(0, paddedLength), pad, Options.PadMode);
            for (int t0 = 0; t0 < frames; t0 += blockRows)
            {
                int rows = Math.Min(blockRows, frames - t0);
                int tiles = (rows + RowTile - 1) / RowTile;
                Fold(padded, t0, rows, tiles * RowTile, inputs);
                for (int g = 0; g < _products.Length; g++)
                    Multiply(inputs[g], _products[g].Basis, _products[g].Ns.Length, tiles, outputs[g]);
                for (int r = 0; r < rows; r++)
                {
                    var bins = power.AsSpan(0, _bins);
                    PowerSpectrum(outputs, r * _computedPadded, bins, power.AsSpan(_bins, 3 * _bins));
                    if (Options.Power == 1.0) TensorPrimitives.Sqrt(bins, bins);
                    else if (Options.Power != 2.0) TensorPrimitives.Pow(bins, (float)(Options.Power / 2), bins);
                    ApplyFilterbank(bins, destination.Slice((t0 + r) * nMels, nMels));
                }
            }
        }
        finally
        {
            pool.Return(padded);
            pool.Return(power);
            for (int g = 0; g < _products.Length; g++)
            {
                pool.Return(inputs[g]);
                pool.Return(outputs[g]);
            }
        }

        var mel = destination[..(frames * nMels)];
        if (Options.Log != SpectrogramLog.None)
        {
            TensorPrimitives.Max(mel, (float)Options.Amin, mel);
            if (Options.Log == SpectrogramLog.Log) TensorPrimitives.Log(mel, mel);
            else
            {
                // AmplitudeToDB: 10 log10 for power, 20 log10 for magnitude, i.e. (20 / power) log10(|X|^power).
                TensorPrimitives.Log10(mel, mel);
                TensorPrimitives.Multiply(mel, (float)(20.0 / Options.Power), mel);
            }
        }
    }

    /// <summary>|X_k|^2 for all bins of one frame from the products' rows at <paramref name="offset"/>.</summary>
    private void PowerSpectrum(float[][] outputs, int offset, Span<float> bins, Span<float> scratch)
    {
        int c = _computed;
        if (!_split)
        {
            ReadOnlySpan<float> cos = outputs[0].AsSpan(offset, c), sin = outputs[1].AsSpan(offset, c);
            TensorPrimitives.Multiply(cos, cos, bins);
            TensorPrimitives.MultiplyAdd(sin, sin, bins, bins);
            return;
        }
        ReadOnlySpan<float> cosEven = outputs[0].AsSpan(offset, c), cosOdd = outputs[1].AsSpan(offset, c);
        ReadOnlySpan<float> sinEven = outputs[2].AsSpan(offset, c), sinOdd = outputs[3].AsSpan(offset, c);
        Span<float> low = bins[..c], re = scratch[..c], im = scratch.Slice(c, c), high = scratch.Slice(2 * c, c);
        // bins k < c: (E + O)^2 for cos and sin
        TensorPrimitives.Add(cosEven, cosOdd, re);
        TensorPrimitives.Add(sinEven, sinOdd, im);
        TensorPrimitives.Multiply(re, re, low);
        TensorPrimitives.MultiplyAdd(im, im, low, low);
        // bins N/2 - k: (E - O)^2 for cos and sin
        TensorPrimitives.Subtract(cosEven, cosOdd, re);
        TensorPrimitives.Subtract(sinEven, sinOdd, im);
        TensorPrimitives.Multiply(re, re, high);
        TensorPrimitives.MultiplyAdd(im, im, high, high);
        int half = _bins - 1;
        for (int k = 0; k < c; k++) bins[half - k] = high[k];
    }

    /// <summary>Windows frames t0..t0+rows-1 and folds each about n_fft/2 into the products' inputs, tile-packed as
    /// (tiles, terms, RowTile) so that the micro-kernel reads one tile's six frames as six consecutive floats.</summary>
    private void Fold(float[] padded, int t0, int rows, int paddedRows, float[][] inputs)
    {
        int n = Options.NFft, hop = Options.HopLength, pairs = (n - 1) / 2;
        float[] w = _window;
        for (int r = 0; r < paddedRows; r++)
        {
            int tile = r / RowTile, lane = r % RowTile;
            if (r >= rows)
            {
                for (int g = 0; g < inputs.Length; g++)
                {
                    int terms = _products[g].Ns.Length;
                    for (int j = 0; j < terms; j++) inputs[g][tile * terms * RowTile + j * RowTile + lane] = 0f;
                }
                continue;
            }
            var x = padded.AsSpan((t0 + r) * hop, n);
            if (_split)
            {
                // Term n goes to the product of its parity at column n / 2 (sin's even terms start at n = 2: n / 2 - 1).
                Span<float> ce = Row(inputs, 0, tile, lane), co = Row(inputs, 1, tile, lane);
                Span<float> se = Row(inputs, 2, tile, lane), so = Row(inputs, 3, tile, lane);
                ce[0] = w[0] * x[0];
                for (int i = 1; i <= pairs; i++)
                {
                    float lo = w[i] * x[i], hi = w[n - i] * x[n - i];
                    if ((i & 1) == 1)
                    {
                        co[(i >> 1) * RowTile] = lo + hi;
                        so[(i >> 1) * RowTile] = lo - hi;
                    }
                    else
                    {
                        ce[(i >> 1) * RowTile] = lo + hi;
                        se[((i >> 1) - 1) * RowTile] = lo - hi;
                    }
                }
                int h = n / 2;
                ((h & 1) == 0 ? ce : co)[(h >> 1) * RowTile] = w[h] * x[h];
            }
            else
            {
                Span<float> cos = Row(inputs, 0, tile, lane), sin = Row(inputs, 1, tile, lane);
                cos[0] = w[0] * x[0];
                for (int i = 1; i <= pairs; i++)
                {
                    float lo = w[i] * x[i], hi = w[n - i] * x[n - i];
                    cos[i * RowTile] = lo + hi;
                    sin[(i - 1) * RowTile] = lo - hi;
                }
            }
        }
    }

    /// <summary>Product g's input for one frame: column j at index j * RowTile.</summary>
    private Span<float> Row(float[][] inputs, int g, int tile, int lane)
    {
        int terms = _products[g].Ns.Length;
        return terms == 0 ? Span<float>.Empty : inputs[g].AsSpan(tile * terms * RowTile + lane, (terms - 1) * RowTile + 1);
    }

    /// <summary>C (tiles*6, computedPadded) = A (tiles*6, terms) * B (terms, computedPadded), with A and B tile-packed.</summary>
    private void Multiply(float[] a, float[] b, int terms, int tiles, float[] c)
    {
        int colTile = _colTile, strips = _computedPadded / colTile;
        for (int s = 0; s < strips; s++)
        {
            var bStrip = b.AsSpan(s * terms * colTile, terms * colTile);
            for (int tile = 0; tile < tiles; tile++)
            {
                var aTile = a.AsSpan(tile * terms * RowTile, terms * RowTile);
                var cTile = c.AsSpan(tile * RowTile * _computedPadded + s * colTile);
                if (colTile == 32) Kernel6x32(aTile, bStrip, terms, cTile, _computedPadded);
                else if (Vector256.IsHardwareAccelerated) Kernel6x16(aTile, bStrip, terms, cTile, _computedPadded);
                else KernelScalar(aTile, bStrip, terms, cTile, _computedPadded);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x32(ReadOnlySpan<float> aTile, ReadOnlySpan<float> bStrip, int terms, Span<float> c, int ldc)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                         c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        ref float a = ref MemoryMarshal.GetReference(aTile);
        ref float b = ref MemoryMarshal.GetReference(bStrip);
        for (int j = 0; j < terms; j++)
        {
            var b0 = Vector512.LoadUnsafe(ref b);
            var b1 = Vector512.LoadUnsafe(ref b, 16);
            var a0 = Vector512.Create(a);
            c00 = Vector512.MultiplyAddEstimate(a0, b0, c00); c01 = Vector512.MultiplyAddEstimate(a0, b1, c01);
            var a1 = Vector512.Create(Unsafe.Add(ref a, 1));
            c10 = Vector512.MultiplyAddEstimate(a1, b0, c10); c11 = Vector512.MultiplyAddEstimate(a1, b1, c11);
            var a2 = Vector512.Create(Unsafe.Add(ref a, 2));
            c20 = Vector512.MultiplyAddEstimate(a2, b0, c20); c21 = Vector512.MultiplyAddEstimate(a2, b1, c21);
            var a3 = Vector512.Create(Unsafe.Add(ref a, 3));
            c30 = Vector512.MultiplyAddEstimate(a3, b0, c30); c31 = Vector512.MultiplyAddEstimate(a3, b1, c31);
            var a4 = Vector512.Create(Unsafe.Add(ref a, 4));
            c40 = Vector512.MultiplyAddEstimate(a4, b0, c40); c41 = Vector512.MultiplyAddEstimate(a4, b1, c41);
            var a5 = Vector512.Create(Unsafe.Add(ref a, 5));
            c50 = Vector512.MultiplyAddEstimate(a5, b0, c50); c51 = Vector512.MultiplyAddEstimate(a5, b1, c51);
            a = ref Unsafe.Add(ref a, RowTile);
            b = ref Unsafe.Add(ref b, 32);
        }
        c00.CopyTo(c.Slice(0 * ldc, 16)); c01.CopyTo(c.Slice(0 * ldc + 16, 16));
        c10.CopyTo(c.Slice(1 * ldc, 16)); c11.CopyTo(c.Slice(1 * ldc + 16, 16));
        c20.CopyTo(c.Slice(2 * ldc, 16)); c21.CopyTo(c.Slice(2 * ldc + 16, 16));
        c30.CopyTo(c.Slice(3 * ldc, 16)); c31.CopyTo(c.Slice(3 * ldc + 16, 16));
        c40.CopyTo(c.Slice(4 * ldc, 16)); c41.CopyTo(c.Slice(4 * ldc + 16, 16));
        c50.CopyTo(c.Slice(5 * ldc, 16)); c51.CopyTo(c.Slice(5 * ldc + 16, 16));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(ReadOnlySpan<float> aTile, ReadOnlySpan<float> bStrip, int terms, Span<float> c, int ldc)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                         c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        ref float a = ref MemoryMarshal.GetReference(aTile);
        ref float b = ref MemoryMarshal.GetReference(bStrip);
        for (int j = 0; j < terms; j++)
        {
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, 8);
            var a0 = Vector256.Create(a);
            c00 = Vector256.MultiplyAddEstimate(a0, b0, c00); c01 = Vector256.MultiplyAddEstimate(a0, b1, c01);
            var a1 = Vector256.Create(Unsafe.Add(ref a, 1));
            c10 = Vector256.MultiplyAddEstimate(a1, b0, c10); c11 = Vector256.MultiplyAddEstimate(a1, b1, c11);
            var a2 = Vector256.Create(Unsafe.Add(ref a, 2));
            c20 = Vector256.MultiplyAddEstimate(a2, b0, c20); c21 = Vector256.MultiplyAddEstimate(a2, b1, c21);
            var a3 = Vector256.Create(Unsafe.Add(ref a, 3));
            c30 = Vector256.MultiplyAddEstimate(a3, b0, c30); c31 = Vector256.MultiplyAddEstimate(a3, b1, c31);
            var a4 = Vector256.Create(Unsafe.Add(ref a, 4));
            c40 = Vector256.MultiplyAddEstimate(a4, b0, c40); c41 = Vector256.MultiplyAddEstimate(a4, b1, c41);
            var a5 = Vector256.Create(Unsafe.Add(ref a, 5));
            c50 = Vector256.MultiplyAddEstimate(a5, b0, c50); c51 = Vector256.MultiplyAddEstimate(a5, b1, c51);
            a = ref Unsafe.Add(ref a, RowTile);
            b = ref Unsafe.Add(ref b, 16);
        }
        // Bounds-checked stores: c is the tile's top-left corner with rows ldc apart.
        c00.CopyTo(c.Slice(0 * ldc, 8)); c01.CopyTo(c.Slice(0 * ldc + 8, 8));
        c10.CopyTo(c.Slice(1 * ldc, 8)); c11.CopyTo(c.Slice(1 * ldc + 8, 8));
        c20.CopyTo(c.Slice(2 * ldc, 8)); c21.CopyTo(c.Slice(2 * ldc + 8, 8));
        c30.CopyTo(c.Slice(3 * ldc, 8)); c31.CopyTo(c.Slice(3 * ldc + 8, 8));
        c40.CopyTo(c.Slice(4 * ldc, 8)); c41.CopyTo(c.Slice(4 * ldc + 8, 8));
        c50.CopyTo(c.Slice(5 * ldc, 8)); c51.CopyTo(c.Slice(5 * ldc + 8, 8));
    }

    private static void KernelScalar(ReadOnlySpan<float> aTile, ReadOnlySpan<float> bStrip, int terms, Span<float> c, int ldc)
    {
        const int colTile = 16;
        Span<float> acc = stackalloc float[RowTile * colTile];
        acc.Clear();
        for (int j = 0; j < terms; j++)
            for (int r = 0; r < RowTile; r++)
            {
                float av = aTile[j * RowTile + r];
                for (int k = 0; k < colTile; k++) acc[r * colTile + k] += av * bStrip[j * colTile + k];
            }
        for (int r = 0; r < RowTile; r++) acc.Slice(r * colTile, colTile).CopyTo(c.Slice(r * ldc, colTile));
    }

    private void ApplyFilterbank(ReadOnlySpan<float> power, Span<float> mel)
    {
        for (int m = 0; m < mel.Length; m++)
        {
            int start = _filterStart[m], off = _filterOffset[m], len = _filterOffset[m + 1] - off;
            float sum = 0f;
            for (int i = 0; i < len; i++) sum += _filterWeights[off + i] * power[start + i];
            mel[m] = sum;
        }
    }

    /// <summary>The product over terms <paramref name="ns"/>: basis (computedPadded/colTile, terms, colTile) with entry
    /// f(2 pi k n / N) for bin k below the computed count, else 0.</summary>
    private Product Pack(Func<double, double> f, IEnumerable<int> ns)
    {
        int n = Options.NFft;
        var terms = ns.ToArray();
        var packed = new float[_computedPadded * terms.Length];
        for (int k = 0; k < _computed; k++)
            for (int j = 0; j < terms.Length; j++)
            {
                long phase = (long)k * terms[j] % n;   // reduce first: exact angles for large k n
                packed[(k / _colTile) * terms.Length * _colTile + j * _colTile + k % _colTile] = (float)f(2.0 * Math.PI * phase / n);
            }
        return new Product(terms, packed);
    }

    private static void Pad(ReadOnlySpan<float> x, Span<float> padded, int pad, PadMode mode)
    {
        int len = x.Length;
        x.CopyTo(padded.Slice(pad, len));
        for (int i = 0; i < pad; i++)
        {
            // left index -pad+i and right index len+i of the original signal
            int left = i - pad, right = len + i;
            (padded[i], padded[pad + len + i]) = mode switch
            {
                PadMode.Reflect => (x[-left], x[len - 2 - i]),
                PadMode.Replicate => (x[0], x[len - 1]),
                PadMode.Circular => (x[len + left], x[right - len]),
                _ => (0f, 0f),
            };
        }
    }

    /// <summary>torch.hann_window(win_length, periodic=True), zero-padded on both sides to n_fft as torch.stft does.</summary>
    public static float[] HannWindow(int winLength, int nFft)
    {
        var w = new float[nFft];
        int left = (nFft - winLength) / 2;
        for (int i = 0; i < winLength; i++) w[left + i] = (float)(0.5 - 0.5 * Math.Cos(2.0 * Math.PI * i / winLength));
        return w;
    }

    /// <summary>Hz to mel: HTK 2595 log10(1 + f/700); Slaney linear 3 f / 200 below 1 kHz, 15 + 27 ln(f/1000) / ln 6.4 above.</summary>
    public static double HzToMel(double hz, MelScale scale) => scale switch
    {
        MelScale.Htk => 2595.0 * Math.Log10(1.0 + hz / 700.0),
        _ => hz < 1000.0 ? hz / (200.0 / 3) : 15.0 + Math.Log(hz / 1000.0) / (Math.Log(6.4) / 27.0),
    };

    /// <summary>Inverse of <see cref="HzToMel"/>.</summary>
    public static double MelToHz(double mel, MelScale scale) => scale switch
    {
        MelScale.Htk => 700.0 * (Math.Pow(10.0, mel / 2595.0) - 1.0),
        _ => mel < 15.0 ? mel * (200.0 / 3) : 1000.0 * Math.Exp((Math.Log(6.4) / 27.0) * (mel - 15.0)),
    };

    /// <summary>
    /// torchaudio.functional.melscale_fbanks: triangular filters on the bin frequencies linspace(0, sample_rate // 2, n_freqs),
    /// corners f_0..f_{n_mels+1} at n_mels + 2 points equally spaced in mel between f_min and f_max; weight =
    /// max(0, min(down, up)) with down = (f - f_m) / (f_{m+1} - f_m) and up = (f_{m+2} - f) / (f_{m+2} - f_{m+1});
    /// slaney norm multiplies filter m by 2 / (f_{m+2} - f_m).
    /// <para>
    /// Evaluated in double and stored as float32. torchaudio evaluates the same formulas in float32, and its linspace
    /// rounds differently with the CPU's vector width, so its weights scatter by about 1e-5 around these (HTK corners
    /// near 3000 mel carry 2e-4 mel of float32 rounding); no choice here would match every torch build bit for bit.
    /// </para>
    /// Some low filters are all zero when the mel spacing is finer than the bin spacing, as in torchaudio (which warns).
    /// </summary>
    /// <returns>(n_freqs, n_mels) row-major.</returns>
    public static float[] MelFilterbank(int nFreqs, double fMin, double fMax, int nMels, int sampleRate, MelNorm norm, MelScale scale)
    {
        double mMin = HzToMel(fMin, scale), mMax = HzToMel(fMax, scale);
        var fPts = new double[nMels + 2];
        for (int i = 0; i < fPts.Length; i++) fPts[i] = MelToHz(mMin + (mMax - mMin) * i / (nMels + 1), scale);
        var fb = new float[nFreqs * nMels];
        for (int k = 0; k < nFreqs; k++)
        {
            double f = nFreqs == 1 ? 0 : (double)(sampleRate / 2) * k / (nFreqs - 1);
            for (int m = 0; m < nMels; m++)
            {
                double down = (f - fPts[m]) / (fPts[m + 1] - fPts[m]);
                double up = (fPts[m + 2] - f) / (fPts[m + 2] - fPts[m + 1]);
                double v = Math.Max(0.0, Math.Min(down, up));
                if (norm == MelNorm.Slaney) v *= 2.0 / (fPts[m + 2] - fPts[m]);
                fb[k * nMels + m] = (float)v;
            }
        }
        return fb;
    }

    private static (int[] Start, int[] Offset, float[] Weights) Sparsify(float[] fb, int nFreqs, int nMels)
    {
        var start = new int[nMels];
        var offset = new int[nMels + 1];
        var weights = new List<float>();
        for (int m = 0; m < nMels; m++)
        {
            int lo = 0, hi = -1;
            for (int k = 0; k < nFreqs; k++)
                if (fb[k * nMels + m] != 0f) { if (hi < 0) lo = k; hi = k; }
            start[m] = lo;
            offset[m] = weights.Count;
            for (int k = lo; k <= hi; k++) weights.Add(fb[k * nMels + m]);
        }
        offset[nMels] = weights.Count;
        return (start, offset, weights.ToArray());
    }
}
