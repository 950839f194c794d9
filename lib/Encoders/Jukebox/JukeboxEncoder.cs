namespace PianoJudges.Encoders.Jukebox;

using PianoJudges.Audio;
using PianoJudges.Native;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Jukebox as the paper uses it: the 5b VQ-VAE's top-level encoder output before quantisation, (3445, 64) per
/// 10 s segment at 44.1 kHz (hop 128). Example: <c>JukeboxEncoder.FromStateDict(JukeboxConfig.PaperFaithful, stateDict, "vqvae.pth.tar")</c>.
/// </summary>
public sealed class JukeboxEncoder : IAudioEncoder, IDisposable
{
    private readonly JukeboxVqvaeEncoder model;
    private readonly string weights;

    public JukeboxEncoder(JukeboxVqvaeEncoder model, string weights, int batchSize = 2)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be at least 1");
        this.model = model;
        this.weights = weights;
        BatchSize = batchSize;
        model.eval();
        Info = Describe(model.Config);
    }

    /// <summary>The Table 1 facts of a configuration: 64-d at 44100 / 128 Hz, 3445 frames per 10 s at the top level.</summary>
    public static EncoderInfo Describe(JukeboxConfig c) =>
        new("jukebox", c.SampleRate, (double)c.SampleRate / c.HopLength, c.EmbWidth, c.FramesPerSegment,
            $"Jukebox VQ-VAE level-{c.Level} encoder (hop {c.HopLength}), {(c.Quantised ? "quantised" : "before quantisation")}");

    /// <param name="weightsId">What ConfigKey names the weights by (default: the file name of <paramref name="source"/>).</param>
    public static JukeboxEncoder FromStateDict(JukeboxConfig config, IReadOnlyDictionary<string, Tensor> stateDict, string source, int batchSize = 2, string? weightsId = null)
    {
        TorchRuntime.EnsureInitialised();
        var model = new JukeboxVqvaeEncoder(config);
        model.LoadCheckpoint(stateDict, source);
        return new JukeboxEncoder(model, weightsId ?? Path.GetFileName(source), batchSize);
    }

    /// <summary>
    /// Opens a VQ-VAE checkpoint (its "model" entry) and builds the encoder. The released 5b vqvae.pth.tar predates
    /// PyTorch's zip format; re-save it with torch.save (PyTorch >= 1.6) or convert it to safetensors first.
    /// </summary>
    public static JukeboxEncoder FromCheckpoint(JukeboxConfig config, string path, int batchSize = 2)
    {
        TorchRuntime.EnsureInitialised();
        using var stateDict = EncoderCheckpoint.Load(path, "model");
        return FromStateDict(config, stateDict, path, batchSize, EncoderCheckpoint.Identity(path));
    }

    public EncoderInfo Info { get; }
    public int BatchSize { get; }
    public JukeboxVqvaeEncoder Model => model;

    public string ConfigKey
    {
        get
        {
            var c = model.Config;
            return $"jukebox|sr={c.SampleRate}|level={c.Level}|downs={string.Join(",", c.Downs)}|strides={string.Join(",", c.Strides)}" +
                   $"|emb={c.EmbWidth}|width={c.LevelWidth}|depth={c.LevelDepth}|dil={c.DilationGrowthRate}|quantised={c.Quantised}" +
                   $"|peak={c.PeakNormalisation}|seg={c.SegmentSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}|weights={weights}";
        }
    }

    /// <summary>(segments) audio at 44.1 kHz -> Embedding (segments, FramesPerSegment, 64).</summary>
    public Embedding Encode(SegmentedAudio audio, CancellationToken cancellationToken = default)
    {
        var c = model.Config;
        if (audio.SampleRate != c.SampleRate)
            throw new ArgumentException($"Jukebox expects {c.SampleRate} Hz audio, got {audio.SampleRate} Hz; resample first");
        if (audio.Count > 0 && audio.SegmentSamples != c.SegmentSamples)
            throw new ArgumentException($"Jukebox is configured for {c.SegmentSeconds} s segments ({c.SegmentSamples} samples), got {audio.SegmentSamples} samples");
        float scale = 1f;
        if (c.PeakNormalisation == JukeboxPeakNormalisation.Recording)
        {
            float peak = audio.Segments.Select(s => s.Length == 0 ? 0f : Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(s))).DefaultIfEmpty(0f).Max();
            if (peak > 0) scale = 1f / peak;
        }
        int frames = c.FramesPerSegment, dim = c.EmbWidth;
        var data = new float[(long)audio.Count * frames * dim];
        using var noGrad = no_grad();
        for (int start = 0; start < audio.Count; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            int n = Math.Min(BatchSize, audio.Count - start);
            var batch = stack(Enumerable.Range(start, n).Select(s => tensor(audio.Segments[s])).ToArray()).unsqueeze(1) * scale;
            var z = model.call(batch).permute(0, 2, 1).contiguous();
            z.data<float>().CopyTo(data.AsSpan(start * frames * dim, n * frames * dim));
        }
        return new Embedding(data, audio.Count, frames, dim, audio.ValidSamples.Select(v => v > 0).ToArray());
    }

    public void Dispose() => model.Dispose();
}
