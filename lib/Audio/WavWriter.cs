namespace PianoJudges.Audio;

using System.Buffers.Binary;
using PianoJudges.Data;

/// <summary>Writes mono WAV files (canonical 44-byte RIFF header) atomically: temporary file, then rename.</summary>
public static class WavWriter
{
    /// <summary>Writes 16-bit PCM (clipped to [-1, 1]) or, with <paramref name="float32"/>, IEEE float samples.</summary>
    public static void WriteMono(string path, ReadOnlySpan<float> samples, int sampleRate, bool float32 = false)
    {
        int bytesPerSample = float32 ? 4 : 2;
        var bytes = new byte[44 + (long)samples.Length * bytesPerSample];
        var h = bytes.AsSpan();
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[4..], bytes.Length - 8);
        "WAVEfmt "u8.CopyTo(h[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(h[20..], (short)(float32 ? 3 : 1)); // 3 = IEEE float, 1 = PCM
        BinaryPrimitives.WriteInt16LittleEndian(h[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(h[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(h[28..], sampleRate * bytesPerSample);
        BinaryPrimitives.WriteInt16LittleEndian(h[32..], (short)bytesPerSample);
        BinaryPrimitives.WriteInt16LittleEndian(h[34..], (short)(8 * bytesPerSample));
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[40..], samples.Length * bytesPerSample);
        var body = h[44..];
        for (int i = 0; i < samples.Length; i++)
        {
            if (float32) BinaryPrimitives.WriteSingleLittleEndian(body[(4 * i)..], samples[i]);
            else BinaryPrimitives.WriteInt16LittleEndian(body[(2 * i)..], (short)Math.Round(Math.Clamp(samples[i], -1f, 1f) * 32767f));
        }
        AtomicFile.WriteAllBytes(path, bytes);
    }
}
