namespace PianoJudges.Encoders;

using PianoJudges.Audio;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>What the neural encoders share around their models: input checks and the batch loop that fills an <see cref="Embedding"/>.</summary>
public static class SegmentBatches
{
    /// <summary>Refuses audio at another rate, or (when <paramref name="segmentSeconds"/> is given) segments of another length, naming the encoder.</summary>
    public static void CheckInput(SegmentedAudio audio, string encoder, int sampleRate, double? segmentSeconds = null)
    {
        if (audio.SampleRate != sampleRate)
            throw new ArgumentException($"{encoder} expects {sampleRate} Hz audio, got {audio.SampleRate} Hz; resample first");
        if (segmentSeconds is double s && audio.Count > 0 && audio.SegmentSamples != (int)Math.Round(s * sampleRate))
            throw new ArgumentException($"{encoder} is configured for {s} s segments ({(int)Math.Round(s * sampleRate)} samples), got {audio.SegmentSamples} samples");
    }

    /// <summary>
    /// Calls <paramref name="forward"/>(first segment, count) for consecutive batches of at most <paramref name="batchSize"/>
    /// segments, each in its own dispose scope, and copies its (count, frames, dim) result into the embedding.
    /// The mask marks segments with any real audio. The caller chooses the grad mode (no_grad, inference_mode).
    /// </summary>
    public static Embedding Encode(SegmentedAudio audio, int batchSize, int frames, int dim, Func<int, int, Tensor> forward, CancellationToken cancellationToken)
    {
        var data = new float[(long)audio.Count * frames * dim];
        for (int start = 0; start < audio.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            int n = Math.Min(batchSize, audio.Count - start);
            var result = forward(start, n);
            if (!result.shape.SequenceEqual(new long[] { n, frames, dim }))
                throw new InvalidOperationException($"the model gave ({string.Join(", ", result.shape)}) for {n} segments, expected ({n}, {frames}, {dim})");
            var host = result.to(ScalarType.Float32).cpu().contiguous();
            host.data<float>().CopyTo(data.AsSpan((int)((long)start * frames * dim), n * frames * dim));
        }
        return new Embedding(data, audio.Count, frames, dim, audio.ValidSamples.Select(v => v > 0).ToArray());
    }
}
