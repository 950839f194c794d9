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
        SegmentBatches.CheckInput(audio, "Jukebox", c.SampleRate, c.SegmentSeconds);
        float scale = 1f;
        if (c.PeakNormalisation == JukeboxPeakNormalisation.Recording)
        {
            float peak = audio.Segments.Select(s => s.Length == 0 ? 0f : Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(s))).DefaultIfEmpty(0f).Max();
            if (peak > 0) scale = 1f / peak;
        }
        using var noGrad = no_grad();
        return SegmentBatches.Encode(audio, BatchSize, c.FramesPerSegment, c.EmbWidth, (start, n) =>
            model.call(stack(Enumerable.Range(start, n).Select(s => tensor(audio.Segments[s])).ToArray()).unsqueeze(1) * scale).permute(0, 2, 1),
            cancellationToken);
    }

    public void Dispose() => model.Dispose();
}
