namespace PianoJudges.Audio;

/// <summary>
/// The embedding pipeline's input: read -> mono by channel mean -> resample -> segment, decoding only as much
/// of the file as the segments can use (MaxSegments · SegmentSeconds plus a little filter context).
/// The released code resamples before the down-mix; both steps are linear, so the order changes nothing but rounding.
/// </summary>
public static class AudioLoader
{
    /// <summary>Decoded beyond the last usable sample so the resampling filter sees real audio there, not the file's cut.</summary>
    private const double FilterContextSeconds = 0.1;

    /// <summary>Loads <paramref name="path"/> as segments at <paramref name="targetRate"/> Hz.</summary>
    /// <param name="options">Segmenting (default: the paper's 10 s × 30 with a zero-padded tail).</param>
    /// <param name="readOptions">Decoder limits; MaxSeconds is set here from the segmenting options unless given smaller.</param>
    /// <returns>Count × (SegmentSeconds · targetRate) samples.</returns>
    public static SegmentedAudio LoadSegments(string path, int targetRate, SegmentingOptions? options = null, AudioReadOptions? readOptions = null)
    {
        options ??= SegmentingOptions.Paper;
        readOptions ??= AudioReadOptions.Default;
        double needed = (double)Segmenter.SamplesNeeded(targetRate, options) / targetRate + FilterContextSeconds;
        if (readOptions.MaxSeconds is not { } given || given > needed) readOptions = readOptions with { MaxSeconds = needed };
        var clip = AudioReader.Read(path, readOptions);
        var mono = Resampler.Resample(clip.ToMono(), clip.SampleRate, targetRate);
        return Segmenter.Split(mono, targetRate, options);
    }
}
