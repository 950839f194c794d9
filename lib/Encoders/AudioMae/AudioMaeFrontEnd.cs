namespace PianoJudges.Encoders.AudioMae;

using TorchSharp;
using static TorchSharp.torch;

/// <summary>Audio-MAE's input pipeline for one segment: optional peak normalisation, Kaldi fbank, cut/zero-pad to TargetLength frames, normalisation.</summary>
public static class AudioMaeFrontEnd
{
    /// <summary>One segment at config.SampleRate -> (TargetLength, NumMelBins) float32 fbank, ready for the ViT.</summary>
    /// <remarks>
    /// Frames missing at the end are zero-padded before normalisation (as both releases do), so with a
    /// normalisation they hold -mean / (2 std), not zero. 10 s at 16 kHz gives 998 frames, so 26 rows are padding.
    /// </remarks>
    public static Tensor Compute(ReadOnlySpan<float> segment, AudioMaeConfig config)
    {
        using var scope = NewDisposeScope();
        var samples = segment;
        if (config.PeakNormalise is double peak)
            samples = PeakNormalised(segment, peak);
        var fbank = KaldiFbank.Compute(samples, config.Fbank);
        long frames = fbank.shape[0];
        if (frames > config.TargetLength)
            fbank = fbank.narrow(0, 0, config.TargetLength);
        else if (frames < config.TargetLength)
            fbank = nn.functional.pad(fbank, [0, 0, 0, config.TargetLength - frames]);
        if (config.Normalisation is { } norm)
            fbank = (fbank - norm.Mean) / (norm.Std * 2.0);
        if (config.RoundFbankToHalf)
            fbank = fbank.to(ScalarType.Float16).to(ScalarType.Float32);
        return fbank.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The paper's loader: x - mean(x), then divided by max|x| + 1e-8 and scaled to <paramref name="peak"/>.</summary>
    public static float[] PeakNormalised(ReadOnlySpan<float> segment, double peak)
    {
        double mean = 0;
        foreach (var v in segment) mean += v;
        mean /= Math.Max(1, segment.Length);
        var result = new float[segment.Length];
        float max = 0;
        for (int i = 0; i < segment.Length; i++)
        {
            result[i] = (float)(segment[i] - mean);
            max = Math.Max(max, Math.Abs(result[i]));
        }
        float scale = (float)(peak / (max + 1e-8));
        for (int i = 0; i < result.Length; i++) result[i] *= scale;
        return result;
    }
}
