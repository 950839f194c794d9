namespace PianoJudges.Audio;

/// <summary>Decoded audio: one float array per channel, samples nominally in [-1, 1].</summary>
/// <param name="Channels">Channel-major samples; every channel has the same length.</param>
/// <param name="SampleRate">Samples per second.</param>
/// <param name="Source">Where the audio came from (a file path or a description), quoted in errors.</param>
public sealed record AudioClip(float[][] Channels, int SampleRate, string Source)
{
    public int Length => Channels.Length == 0 ? 0 : Channels[0].Length;
    public double DurationSeconds => (double)Length / SampleRate;

    /// <summary>Down-mix by channel mean (as the paper's released code does).</summary>
    public float[] ToMono()
    {
        if (Channels.Length == 1) return Channels[0];
        var mono = new float[Length];
        foreach (var ch in Channels)
            System.Numerics.Tensors.TensorPrimitives.Add(mono, ch, mono);
        System.Numerics.Tensors.TensorPrimitives.Multiply(mono, 1f / Channels.Length, mono);
        return mono;
    }
}

/// <summary>An audio file that cannot be used, with the file and the problem named.</summary>
public sealed class AudioFormatException(string path, string problem, Exception? inner = null)
    : Exception($"{path}: {problem}", inner)
{
    public string Path { get; } = path;
    public string Problem { get; } = problem;
}
