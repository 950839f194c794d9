namespace PianoJudges.Audio;

/// <summary>How <see cref="AudioReader"/> reads a file; every limit is documented in lib/Audio/README.md.</summary>
public sealed record AudioReadOptions
{
    /// <summary>Decode only the first MaxSeconds of audio and stop (null: the whole file). A file that is
    /// longer is not an error then: the paper uses only the first 5 minutes.</summary>
    public double? MaxSeconds { get; init; }

    /// <summary>Files longer than this are rejected when <see cref="MaxSeconds"/> is null (default 1 hour),
    /// so that a mislabelled multi-hour file does not silently take gigabytes.</summary>
    public double MaxDurationSeconds { get; init; } = 3600;

    /// <summary>Largest accepted absolute sample value. Float sources may overshoot 1 a little (lossy codecs,
    /// hot masters) and are kept as they are; a larger peak means the file stores unscaled integers as floats.</summary>
    public float MaxPeak { get; init; } = 16f;

    /// <summary>The ffmpeg executable for formats without a built-in decoder: a bare name is looked up on PATH.</summary>
    public string FfmpegExecutable { get; init; } = "ffmpeg";

    public static AudioReadOptions Default { get; } = new();

    internal void Validate()
    {
        if (MaxSeconds is { } s && !(s > 0 && double.IsFinite(s)))
            throw new ArgumentOutOfRangeException(nameof(MaxSeconds), s, "MaxSeconds must be positive and finite, or null for the whole file");
        if (!(MaxDurationSeconds > 0))
            throw new ArgumentOutOfRangeException(nameof(MaxDurationSeconds), MaxDurationSeconds, "MaxDurationSeconds must be positive");
        if (!(MaxPeak > 0))
            throw new ArgumentOutOfRangeException(nameof(MaxPeak), MaxPeak, "MaxPeak must be positive");
    }

    /// <summary>Most frames to decode at <paramref name="sampleRate"/>, or -1 when the whole file must be read.</summary>
    internal long FrameLimit(int sampleRate) => MaxSeconds is { } s ? (long)Math.Ceiling(s * sampleRate) : -1;

    /// <summary>Most frames allowed before the file counts as too long (only when MaxSeconds is null).</summary>
    internal long DurationLimitFrames(int sampleRate) => (long)Math.Floor(MaxDurationSeconds * sampleRate);
}
