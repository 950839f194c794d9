namespace PianoJudges.Audio;

/// <summary>Read, down-mix, resample and segment: the path from an audio file to an encoder's input.</summary>
public static class AudioLoader
{
    public static SegmentedAudio LoadSegments(string path, int targetRate, SegmentingOptions options)
    {
        var clip = AudioReader.Read(path);
        var mono = Resampler.Resample(clip.ToMono(), clip.SampleRate, targetRate);
        return Segmenter.Split(mono, targetRate, options);
    }
}
