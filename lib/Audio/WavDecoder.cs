namespace PianoJudges.Audio;

using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NAudio.Wave;

/// <summary>
/// RIFF/RF64 WAV: NAudio parses the chunks; the sample data are converted here in blocks straight into
/// per-channel arrays (PCM 8/16/24/32-bit, IEEE float 32/64, plain or WAVE_FORMAT_EXTENSIBLE, any channel count).
/// Integers are scaled by 2^(bits-1), as soundfile/torchaudio do.
/// </summary>
internal static class WavDecoder
{
    /// <summary>Data chunk sizes that writers use when they could not seek back (pipes, crashed recorders).</summary>
    private const long StreamingPlaceholder = 0xFFFFFFFF;

    private enum SampleKind { Pcm, Float }

    public static AudioClip Read(string path, AudioReadOptions options)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var reader = new WaveFileReader(stream); // parses the chunks and leaves the stream at the data
        long dataStart = stream.Position;
        var format = reader.WaveFormat;
        var (kind, bits) = Describe(path, format, stream, dataStart);
        int channels = format.Channels;
        int bytesPerFrame = channels * (bits / 8);
        if (format.BlockAlign != bytesPerFrame)
            throw new AudioFormatException(path, $"inconsistent WAV header: block align {format.BlockAlign} for {channels} channels of {bits}-bit samples");

        long available = stream.Length - dataStart;
        long declared = DeclaredDataSize(stream, dataStart) ?? reader.Length;
        long dataBytes;
        if (declared == StreamingPlaceholder) dataBytes = available;
        else if (declared > available)
            throw new AudioFormatException(path, $"truncated WAV: the data chunk declares {declared} bytes but only {available} follow");
        else dataBytes = declared;
        long frames = dataBytes / bytesPerFrame;
        if (frames == 0) throw new AudioFormatException(path, "contains no audio samples (empty data chunk)");

        long limit = options.FrameLimit(format.SampleRate);
        if (limit < 0 && frames > options.DurationLimitFrames(format.SampleRate))
            throw AudioReader.TooLong(path, (double)frames / format.SampleRate, options);
        if (limit >= 0) frames = Math.Min(frames, limit);

        var sink = new ChannelSink(channels, frames, frames);
        stream.Position = dataStart;
        const int blockFrames = 1 << 14;
        var block = new byte[blockFrames * bytesPerFrame];
        while (!sink.IsFull)
        {
            int want = (int)Math.Min(blockFrames, frames - sink.Frames) * bytesPerFrame;
            stream.ReadExactly(block, 0, want);
            int n = want / bytesPerFrame;
            for (int c = 0; c < channels; c++)
                Convert(block.AsSpan(0, want), c, channels, bits, kind, sink.Reserve(c, n));
            sink.Commit(n);
        }
        return sink.ToClip(format.SampleRate, path);
    }

    /// <summary>The data chunk's own size field (NAudio clamps its Length to the file, which hides truncation).</summary>
    private static long? DeclaredDataSize(FileStream stream, long dataStart)
    {
        if (dataStart < 8) return null;
        Span<byte> h = stackalloc byte[8];
        stream.Position = dataStart - 8;
        stream.ReadExactly(h);
        if (!h[..4].SequenceEqual("data"u8)) return null;
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
        return size == StreamingPlaceholder && IsRf64(stream) ? null : size;
    }

    private static bool IsRf64(FileStream stream)
    {
        Span<byte> h = stackalloc byte[4];
        stream.Position = 0;
        stream.ReadExactly(h);
        return h.SequenceEqual("RF64"u8);
    }

    /// <summary>The format code inside a WAVE_FORMAT_EXTENSIBLE fmt chunk's sub-format GUID (1 PCM, 3 float), read from the file.</summary>
    private static int? ExtensibleSubFormat(FileStream stream, long dataStart)
    {
        var head = new byte[(int)Math.Min(dataStart, 1 << 16)];
        stream.Position = 0;
        stream.ReadExactly(head);
        int i = 12;
        while (i + 8 <= head.Length)
        {
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(i + 4));
            if (head.AsSpan(i, 4).SequenceEqual("fmt "u8))
            {
                if (size < 40 || i + 8 + 40 > head.Length) return null;
                var guid = new Guid(head.AsSpan(i + 8 + 24, 16));
                var code = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(i + 8 + 24));
                return guid == new Guid(code, 0x0000, 0x0010, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71) ? code : -1;
            }
            long next = i + 8L + size + (size & 1); // in 64 bits: a chunk size near 2^32 wrapped the index negative (fuzzing)
            if (next > head.Length) break;
            i = (int)next;
        }
        return null;
    }

    private static (SampleKind Kind, int Bits) Describe(string path, WaveFormat format, FileStream stream, long dataStart)
    {
        if (format.Channels <= 0) throw new AudioFormatException(path, $"WAV header gives {format.Channels} channels");
        if (format.SampleRate <= 0) throw new AudioFormatException(path, $"WAV header gives a sample rate of {format.SampleRate} Hz");
        int bits = format.BitsPerSample;
        SampleKind kind = format.Encoding switch
        {
            WaveFormatEncoding.Pcm => SampleKind.Pcm,
            WaveFormatEncoding.IeeeFloat => SampleKind.Float,
            WaveFormatEncoding.Extensible => ExtensibleSubFormat(stream, dataStart) switch
            {
                1 => SampleKind.Pcm,
                3 => SampleKind.Float,
                var code => throw new AudioFormatException(path, $"unsupported WAVE_FORMAT_EXTENSIBLE sub-format {(code is null ? "(unreadable)" : code)} (only PCM and IEEE float are decoded)"),
            },
            _ => throw new AudioFormatException(path, $"unsupported WAV encoding {format.Encoding} (only PCM and IEEE float are decoded; convert it, e.g. with ffmpeg)"),
        };
        bool ok = kind == SampleKind.Pcm ? bits is 8 or 16 or 24 or 32 : bits is 32 or 64;
        if (!ok) throw new AudioFormatException(path, $"unsupported {(kind == SampleKind.Pcm ? "PCM" : "float")} sample size of {bits} bits");
        return (kind, bits);
    }

    /// <summary>Converts channel <paramref name="channel"/> of interleaved little-endian frames to floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the tier-0/OSR code of a method called a few times
    private static void Convert(ReadOnlySpan<byte> bytes, int channel, int channels, int bits, SampleKind kind, Span<float> dst)
    {
        int stride = channels * (bits / 8);
        int offset = channel * (bits / 8);
        switch (kind, bits)
        {
            case (SampleKind.Pcm, 8):
                for (int i = 0, k = offset; i < dst.Length; i++, k += stride) dst[i] = (bytes[k] - 128) * (1f / 128);
                break;
            case (SampleKind.Pcm, 16):
                for (int i = 0, k = offset; i < dst.Length; i++, k += stride)
                    dst[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes[k..]) * (1f / 32768);
                break;
            case (SampleKind.Pcm, 24):
                for (int i = 0, k = offset; i < dst.Length; i++, k += stride)
                    dst[i] = ((bytes[k] << 8 | bytes[k + 1] << 16 | bytes[k + 2] << 24) >> 8) * (1f / 8388608);
                break;
            case (SampleKind.Pcm, 32):
                for (int i = 0, k = offset; i < dst.Length; i++, k += stride)
                    dst[i] = (float)(BinaryPrimitives.ReadInt32LittleEndian(bytes[k..]) * (1.0 / 2147483648));
                break;
            case (SampleKind.Float, 32):
                if (channels == 1 && BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(bytes)[..dst.Length].CopyTo(dst);
                else
                    for (int i = 0, k = offset; i < dst.Length; i++, k += stride)
                        dst[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[k..]);
                break;
            case (SampleKind.Float, 64):
                for (int i = 0, k = offset; i < dst.Length; i++, k += stride)
                    dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[k..]);
                break;
            default:
                throw new InvalidOperationException($"no converter for {kind} {bits}-bit");
        }
    }
}
