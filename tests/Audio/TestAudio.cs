namespace PianoJudges.Tests.Audio;

using System.Buffers.Binary;

/// <summary>Builds WAV files byte by byte (any encoding, channel count, header quirk) and test signals.</summary>
internal static class TestAudio
{
    public const ushort Pcm = 1, IeeeFloat = 3, Extensible = 0xFFFE;

    /// <summary>Encodes interleaved frames ([frame][channel] in [-1, 1]) as WAV bytes.</summary>
    /// <param name="tag">1 PCM, 3 IEEE float, 0xFFFE extensible (then <paramref name="subFormatFloat"/> picks PCM or float).</param>
    /// <param name="declaredDataBytes">Overrides the data chunk size (to fake truncation or streaming placeholders).</param>
    /// <param name="extraChunk">Inserts a LIST chunk before the data, as many writers do.</param>
    public static byte[] Wav(float[][] frames, int sampleRate, int bits, ushort tag = Pcm, bool subFormatFloat = false,
                             long? declaredDataBytes = null, bool extraChunk = false, int dropTrailingBytes = 0)
    {
        int channels = frames.Length == 0 ? 1 : frames[0].Length;
        int bps = bits / 8;
        bool isFloat = tag == IeeeFloat || (tag == Extensible && subFormatFloat);
        var data = new byte[frames.Length * channels * bps];
        for (int i = 0, k = 0; i < frames.Length; i++)
            for (int c = 0; c < channels; c++, k += bps)
                Encode(data.AsSpan(k, bps), frames[i][c], bits, isFloat);
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write("RIFF"u8); w.Write(0); w.Write("WAVE"u8);
        w.Write("fmt "u8);
        w.Write(tag == Extensible ? 40 : 16);
        w.Write(tag); w.Write((ushort)channels); w.Write(sampleRate); w.Write(sampleRate * channels * bps);
        w.Write((ushort)(channels * bps)); w.Write((ushort)bits);
        if (tag == Extensible)
        {
            w.Write((ushort)22); w.Write((ushort)bits); w.Write(channels == 6 ? 0x3F : 0);
            w.Write(new Guid(subFormatFloat ? "00000003-0000-0010-8000-00aa00389b71" : "00000001-0000-0010-8000-00aa00389b71").ToByteArray());
        }
        if (extraChunk) { w.Write("LIST"u8); w.Write(4); w.Write("INFO"u8); }
        w.Write("data"u8); w.Write((uint)(declaredDataBytes ?? data.Length));
        w.Write(data.AsSpan(0, data.Length - dropTrailingBytes));
        w.Flush();
        var bytes = ms.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), bytes.Length - 8);
        return bytes;
    }

    private static void Encode(Span<byte> dst, float x, int bits, bool isFloat)
    {
        if (isFloat)
        {
            if (bits == 32) BinaryPrimitives.WriteSingleLittleEndian(dst, x);
            else BinaryPrimitives.WriteDoubleLittleEndian(dst, x);
            return;
        }
        double full = Math.Pow(2, bits - 1);
        long v = (long)Math.Clamp(Math.Round(x * full), -full, full - 1);
        switch (bits)
        {
            case 8: dst[0] = (byte)(v + 128); break;
            case 16: BinaryPrimitives.WriteInt16LittleEndian(dst, (short)v); break;
            case 24: dst[0] = (byte)v; dst[1] = (byte)(v >> 8); dst[2] = (byte)(v >> 16); break;
            case 32: BinaryPrimitives.WriteInt32LittleEndian(dst, (int)v); break;
        }
    }

    /// <summary>Frames of <paramref name="channels"/> sines, channel c at frequency hz·(c+1), amplitude amp.</summary>
    public static float[][] Sines(int frames, int channels, int rate, double hz, double amp = 0.5)
    {
        var f = new float[frames][];
        for (int i = 0; i < frames; i++)
        {
            f[i] = new float[channels];
            for (int c = 0; c < channels; c++) f[i][c] = (float)(amp * Math.Sin(2 * Math.PI * hz * (c + 1) * i / rate));
        }
        return f;
    }

    public static float[] Sine(int length, int rate, double hz, double amp = 1.0)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(amp * Math.Sin(2 * Math.PI * hz * i / rate));
        return x;
    }

    /// <summary>Amplitude of the <paramref name="hz"/> component over x[from..to) by least squares on sin and cos.</summary>
    public static double Amplitude(ReadOnlySpan<float> x, int rate, double hz, int from, int to)
    {
        double ss = 0, sc = 0, cc = 0, xs = 0, xc = 0;
        for (int i = from; i < to; i++)
        {
            double s = Math.Sin(2 * Math.PI * hz * i / rate), c = Math.Cos(2 * Math.PI * hz * i / rate);
            ss += s * s; sc += s * c; cc += c * c; xs += x[i] * s; xc += x[i] * c;
        }
        double det = ss * cc - sc * sc;
        double a = (xs * cc - xc * sc) / det, b = (xc * ss - xs * sc) / det;
        return Math.Sqrt(a * a + b * b);
    }

    public static double Rms(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (var v in x) s += (double)v * v;
        return Math.Sqrt(s / Math.Max(1, x.Length));
    }
}

/// <summary>A temporary folder removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("pj-audio-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public string Write(string name, byte[] bytes) { var p = File(name); System.IO.File.WriteAllBytes(p, bytes); return p; }
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}
