namespace PianoJudges.Encoders.AudioMae;

using System.Globalization;
using PianoJudges.Audio;
using PianoJudges.Native;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Audio-MAE as the paper uses it: per 10 s segment, the (512, 768) patch tokens of the ViT-B/16 encoder.
/// Example: <c>AudioMaeEncoder.FromStateDict(AudioMaeConfig.Paper, stateDict, "finetuned.pth")</c> with the
/// AudioSet fine-tuned checkpoint's "model" entry.
/// </summary>
public sealed class AudioMaeEncoder : IAudioEncoder, IDisposable
{
    private readonly AudioMaeVit model;
    private readonly string weights;

    /// <param name="model">The ViT; its config decides the front end.</param>
    /// <param name="weights">Identifies the weights in <see cref="ConfigKey"/> (a checkpoint name or hash; "random" for untrained weights).</param>
    /// <param name="batchSize">Segments per forward pass.</param>
    /// <param name="name">The name embeddings are cached and reported under (default "audiomae"; "audiomae-ft" for fine-tuned weights).</param>
    public AudioMaeEncoder(AudioMaeVit model, string weights, int batchSize = 2, string? name = null)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be at least 1");
        this.model = model;
        this.weights = weights;
        BatchSize = batchSize;
        model.eval();
        Info = Describe(model.Config) with { Name = name ?? EncoderRegistry.AudioMae };
    }

    /// <summary>The Table 1 facts of a configuration: 512 tokens of 768 per segment, 51.2 per second.</summary>
    // Table 1 counts tokens per 10 s segment: 512 / 10 s = 51.2 Hz, although 1024 fbank frames span 10.24 s.
    public static EncoderInfo Describe(AudioMaeConfig c) =>
        new("audiomae", c.SampleRate, c.NumPatches / 10.0, c.EmbedDim, c.NumPatches,
            $"Audio-MAE ViT-B/{c.PatchSize} ({c.Checkpoint}), {c.SampleRate} Hz Kaldi fbank {c.TargetLength}x{c.NumMelBins}, patch tokens ({c.TokenOutput})");

    /// <summary>Builds the model for <paramref name="config"/> and loads an Audio-MAE state_dict into it.</summary>
    /// <param name="weightsId">What ConfigKey names the weights by (default: the file name of <paramref name="source"/>).</param>
    /// <param name="name">See the constructor.</param>
    public static AudioMaeEncoder FromStateDict(AudioMaeConfig config, IReadOnlyDictionary<string, Tensor> stateDict, string source, int batchSize = 2,
        string? weightsId = null, string? name = null)
    {
        TorchRuntime.EnsureInitialised();
        var model = new AudioMaeVit(config);
        var report = model.LoadCheckpoint(stateDict, source);
        return new AudioMaeEncoder(model, weightsId ?? Path.GetFileName(source), batchSize, name) { LoadReport = report };
    }

    /// <summary>Opens a released Audio-MAE checkpoint (its "model" entry; the saved argparse.Namespace is read as inert data) and builds the encoder.</summary>
    public static AudioMaeEncoder FromCheckpoint(AudioMaeConfig config, string path, int batchSize = 2)
    {
        TorchRuntime.EnsureInitialised();
        using var stateDict = EncoderCheckpoint.Load(path, "model", ["argparse.Namespace"]);
        return FromStateDict(config, stateDict, path, batchSize, EncoderCheckpoint.Identity(path));
    }

    /// <summary>
    /// Opens a checkpoint written by lib/FineTuning: the model is built from the config in its metadata (toy or real,
    /// models_mae layout read after the final `norm`) and named "audiomae-ft" once fine-tuned ("audiomae" at step 0).
    /// </summary>
    /// <param name="adapt">Changes the stored config before the model is built (e.g. the released code's front end); null keeps it.</param>
    /// <exception cref="InvalidDataException">The file has no fine-tuning metadata, or it is another encoder's.</exception>
    public static AudioMaeEncoder FromFineTuned(string path, int batchSize = 2, Func<AudioMaeConfig, AudioMaeConfig>? adapt = null)
    {
        var meta = FineTunedCheckpoint.Read(path) ?? throw new InvalidDataException($"{path}: no fine-tuning metadata (a released checkpoint: use FromCheckpoint with its config)");
        if (meta.Encoder != EncoderRegistry.AudioMae)
            throw new InvalidDataException($"{path}: holds fine-tuned {meta.Encoder} weights, not audiomae (use --encoder {meta.Encoder})");
        var config = meta.AudioMaeConfig();
        if (adapt is not null) config = adapt(config);
        TorchRuntime.EnsureInitialised();
        using var stateDict = EncoderCheckpoint.Load(path, "model");
        return FromStateDict(config, stateDict, path, batchSize, EncoderCheckpoint.Identity(path), meta.EmbeddingName);
    }

    public EncoderInfo Info { get; }
    public int BatchSize { get; }
    /// <summary>What loading the weights did (null when built from a model): every key of the file is loaded or a known foreign one (decoder_*, mask_token, head).</summary>
    public PianoJudges.Encoders.Weights.LoadReport? LoadReport { get; private init; }
    public AudioMaeVit Model => model;

    public string ConfigKey
    {
        get
        {
            var c = model.Config;
            string norm = c.Normalisation is { } n ? FormattableString.Invariant($"{n.Mean:R}/{n.Std:R}") : "none";
            string peak = c.PeakNormalise?.ToString("R", CultureInfo.InvariantCulture) ?? "none";
            return $"audiomae|sr={c.SampleRate}|norm={norm}|peak={peak}|fp16fbank={c.RoundFbankToHalf}|ckpt={c.Checkpoint}|tokens={c.TokenOutput}" +
                   $"|len={c.TargetLength}|mels={c.NumMelBins}|d={c.EmbedDim}x{c.Depth}|weights={weights}";
        }
    }

    /// <summary>(segments) audio at Info.SampleRate -> Embedding (segments, 512, 768); the mask marks segments with any real audio.</summary>
    public Embedding Encode(SegmentedAudio audio, CancellationToken cancellationToken = default)
    {
        var c = model.Config;
        SegmentBatches.CheckInput(audio, $"Audio-MAE ({c.SampleRate} Hz config)", c.SampleRate);
        using var noGrad = no_grad();
        return SegmentBatches.Encode(audio, BatchSize, c.NumPatches, c.EmbedDim, (start, n) =>
            model.call(stack(Enumerable.Range(start, n).Select(s => AudioMaeFrontEnd.Compute(audio.Segments[s], c)).ToArray()).unsqueeze(1)),
            cancellationToken);
    }

    public void Dispose() => model.Dispose();
}
