namespace PianoJudges.Audio;

using System.Numerics.Tensors;

/// <summary>
/// Decodes an audio file to float samples at its native rate and channel count. WAV (NAudio), OGG/Vorbis
/// (NVorbis) and MP3 (NLayer) are built in; any other container goes through ffmpeg when it is installed.
/// The format is recognised from the file's first bytes, the extension only breaks ties (MPEG vs AAC sync words).
/// Every problem is an <see cref="AudioFormatException"/> naming the file and the problem; the handling of
/// each kind of bad input is tabled in lib/Audio/README.md.
/// </summary>
public static class AudioReader
{
    /// <summary>Reads the whole file (at most <see cref="AudioReadOptions.MaxDurationSeconds"/>, default 1 hour).</summary>
    public static AudioClip Read(string path) => Read(path, AudioReadOptions.Default);

    /// <summary>Reads the file under <paramref name="options"/>; with MaxSeconds set, decoding stops there.</summary>
    /// <returns>Channels × frames samples at the file's own sample rate.</returns>
    public static AudioClip Read(string path, AudioReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        options.Validate();
        CheckIsFile(path);
        var container = Sniff(path);
        AudioClip clip;
        try
        {
            clip = container switch
            {
                Container.Wav => WavDecoder.Read(path, options),
                Container.Vorbis => VorbisDecoder.Read(path, options),
                Container.Mp3 => Mp3Decoder.Read(path, options),
                _ => FfmpegDecoder.Read(path, options, $"no built-in decoder for this format ('{Path.GetExtension(path)}')"),
            };
        }
        catch (Exception e) when (e is not (AudioFormatException or OutOfMemoryException or OperationCanceledException))
        {
            throw new AudioFormatException(path, $"cannot decode it as {Describe(container)} ({Path.GetFileName(path)} is corrupt or not what its name says): {e.Message}", e);
        }
        Validate(clip, options);
        return clip;
    }

    internal enum Container { Wav, Vorbis, Mp3, Other }

    private static string Describe(Container c) => c switch
    {
        Container.Wav => "WAV",
        Container.Vorbis => "OGG/Vorbis",
        Container.Mp3 => "MP3",
        _ => "audio",
    };

    /// <summary>
    /// Throws the <see cref="AudioFormatException"/> that <see cref="Read(string, AudioReadOptions)"/> would for a path that is
    /// no readable file (missing, a directory, a dangling link, empty); callers that touch the file first (hashing it) call this before.
    /// </summary>
    public static void CheckIsFile(string path)
    {
        if (Directory.Exists(path)) throw new AudioFormatException(path, "is a directory, not an audio file");
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target && info.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true })
            throw new AudioFormatException(path, $"is a symbolic link to '{target}', which does not exist");
        if (!info.Exists) throw new AudioFormatException(path, "file not found");
        if (info.Length == 0) throw new AudioFormatException(path, "file is empty (0 bytes)");
    }

    /// <summary>Recognises the container from the first bytes; a mismatch with a built-in extension is an error.</summary>
    internal static Container Sniff(string path)
    {
        Span<byte> head = stackalloc byte[64];
        int n;
        try
        {
            using var f = File.OpenRead(path);
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, $"cannot be read: {e.Message}", e);
        }
        head = head[..n];
        string ext = Path.GetExtension(path).ToLowerInvariant();

        bool riff = n >= 12 && (head[..4].SequenceEqual("RIFF"u8) || head[..4].SequenceEqual("RF64"u8)) && head[8..12].SequenceEqual("WAVE"u8);
        bool ogg = n >= 4 && head[..4].SequenceEqual("OggS"u8);
        bool id3 = n >= 3 && head[..3].SequenceEqual("ID3"u8);
        bool mpegSync = n >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0 && (head[1] & 0x06) != 0; // layer bits 00 are reserved
        bool mp3Name = ext is ".mp3" or ".mp2" or ".mp1" or ".mpga";

        if (riff) return Container.Wav;
        if (ogg) // Opus, FLAC and Speex in OGG go to ffmpeg; anything else is Vorbis's to accept or reject
            return head.IndexOf("OpusHead"u8) >= 0 || head.IndexOf("\u007fFLAC"u8) >= 0 || head.IndexOf("Speex"u8) >= 0 ? Container.Other : Container.Vorbis;
        if (id3 || (mpegSync && mp3Name)) return Container.Mp3;

        if (LooksLikeText(head))
            throw new AudioFormatException(path, $"is a text file, not audio (it starts with \"{System.Text.Encoding.ASCII.GetString(head[..Math.Min(n, 24)]).ReplaceLineEndings(" ")}\")");
        string start = Convert.ToHexString(head[..Math.Min(n, 8)]);
        if (ext is ".wav" or ".wave") throw new AudioFormatException(path, $"is not a WAV file: no RIFF/WAVE header (first bytes {start})");
        if (ext is ".ogg" or ".oga") throw new AudioFormatException(path, $"is not an OGG file: no OggS page header (first bytes {start})");
        if (mp3Name) throw new AudioFormatException(path, $"is not an MP3 file: neither an ID3 tag nor an MPEG frame header at the start (first bytes {start})");
        return Container.Other;
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        if (head.Length < 4) return false;
        foreach (byte b in head)
            if (b is (< 0x20 and not ((byte)'\n' or (byte)'\r' or (byte)'\t')) or >= 0x7F) return false;
        return true;
    }

    /// <summary>Rejects clips with no samples, non-finite samples or a peak above <see cref="AudioReadOptions.MaxPeak"/>.</summary>
    private static void Validate(AudioClip clip, AudioReadOptions options)
    {
        if (clip.Length == 0) throw new AudioFormatException(clip.Source, "contains no audio samples");
        for (int c = 0; c < clip.Channels.Length; c++)
        {
            var ch = clip.Channels[c];
            float peak = Math.Abs(TensorPrimitives.MaxMagnitude(ch)); // NaN if any sample is NaN
            if (!float.IsFinite(peak))
            {
                int i = 0;
                while (float.IsFinite(ch[i])) i++;
                throw new AudioFormatException(clip.Source,
                    $"contains non-finite samples ({ch[i]} in channel {c} at sample {i}, {(double)i / clip.SampleRate:0.###} s)");
            }
            if (peak > options.MaxPeak)
                throw new AudioFormatException(clip.Source,
                    $"has samples far beyond ±1 (peak {peak:G4} in channel {c}, the limit is {options.MaxPeak}); the file probably stores unscaled integers as floats");
        }
    }

    internal static AudioFormatException TooLong(string path, double seconds, AudioReadOptions options, bool atLeast = false) =>
        new(path, $"is {(atLeast ? "more than " : "")}{seconds:0.#} s long, over the maximum of {options.MaxDurationSeconds:0.#} s; "
                  + "read only its start with AudioReadOptions.MaxSeconds, or raise MaxDurationSeconds");
}
