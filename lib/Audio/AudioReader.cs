namespace PianoJudges.Audio;

using NAudio.Wave;

/// <summary>
/// Decodes audio files to float samples: WAV (NAudio), OGG/Vorbis (NVorbis), MP3 (NLayer).
/// Errors are <see cref="AudioFormatException"/>s that name the file and the problem.
/// </summary>
public static class AudioReader
{
    public static AudioClip Read(string path)
    {
        if (Directory.Exists(path)) throw new AudioFormatException(path, "is a directory, not an audio file");
        if (!File.Exists(path)) throw new AudioFormatException(path, "file not found");
        if (new FileInfo(path).Length == 0) throw new AudioFormatException(path, "file is empty (0 bytes)");
        string ext = Path.GetExtension(path).ToLowerInvariant();
        try
        {
            return ext switch
            {
                ".wav" or ".wave" => ReadWav(path),
                ".ogg" or ".oga" => ReadOgg(path),
                ".mp3" => ReadMp3(path),
                _ => throw new AudioFormatException(path, $"unsupported format '{ext}'"),
            };
        }
        catch (AudioFormatException) { throw; }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or ArgumentException
                                      or InvalidOperationException or NotSupportedException or EndOfStreamException
                                      or IndexOutOfRangeException or OverflowException)
        {
            throw new AudioFormatException(path, $"cannot decode {ext.TrimStart('.')} data: {e.Message}", e);
        }
    }

    private static AudioClip ReadWav(string path)
    {
        using var reader = new WaveFileReader(path);
        return Deinterleave(reader.ToSampleProvider(), reader.WaveFormat.Channels, reader.WaveFormat.SampleRate, path);
    }

    private static AudioClip ReadOgg(string path)
    {
        using var vorbis = new NVorbis.VorbisReader(path);
        int channels = vorbis.Channels;
        var interleaved = new List<float>((int)Math.Min(vorbis.TotalSamples * channels, int.MaxValue / 2));
        var buffer = new float[4096 * channels];
        int n;
        while ((n = vorbis.ReadSamples(buffer, 0, buffer.Length)) > 0)
            interleaved.AddRange(buffer.AsSpan(0, n));
        return Split(interleaved, channels, vorbis.SampleRate, path);
    }

    private static AudioClip ReadMp3(string path)
    {
        using var mpeg = new NLayer.MpegFile(path);
        int channels = mpeg.Channels;
        var interleaved = new List<float>();
        var buffer = new float[4096 * channels];
        int n;
        while ((n = mpeg.ReadSamples(buffer, 0, buffer.Length)) > 0)
            interleaved.AddRange(buffer.AsSpan(0, n));
        return Split(interleaved, channels, mpeg.SampleRate, path);
    }

    private static AudioClip Deinterleave(ISampleProvider provider, int channels, int sampleRate, string path)
    {
        var interleaved = new List<float>();
        var buffer = new float[4096 * channels];
        int n;
        while ((n = provider.Read(buffer)) > 0)
            interleaved.AddRange(buffer.AsSpan(0, n));
        return Split(interleaved, channels, sampleRate, path);
    }

    private static AudioClip Split(List<float> interleaved, int channels, int sampleRate, string path)
    {
        if (channels <= 0 || sampleRate <= 0)
            throw new AudioFormatException(path, $"invalid stream format ({channels} channels at {sampleRate} Hz)");
        int frames = interleaved.Count / channels;
        if (frames == 0) throw new AudioFormatException(path, "contains no audio samples");
        var data = new float[channels][];
        for (int c = 0; c < channels; c++) data[c] = new float[frames];
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(interleaved);
        for (int i = 0, k = 0; i < frames; i++)
            for (int c = 0; c < channels; c++)
                data[c][i] = span[k++];
        return new AudioClip(data, sampleRate, path);
    }
}
