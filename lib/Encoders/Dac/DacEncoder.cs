namespace PianoJudges.Encoders.Dac;

using System.Globalization;
using PianoJudges.Audio;
using PianoJudges.Native;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// DAC as the paper uses it: the quantised latent z (1024-d, 44100 / 512 = 86.1 frames per second) of each 10 s
/// segment, either from 1 s chunks (faithful: 870 frames) or from the whole segment (862 frames).
/// Example: <c>DacEncoder.FromStateDict(DacConfig.PaperFaithful, stateDict, "weights_44khz_8kbps_0.0.1.pth")</c>.
/// </summary>
public sealed class DacEncoder : IAudioEncoder, IDisposable
{
    private readonly DacModel model;
    private readonly string weights;

    /// <param name="weights">Identifies the weights in <see cref="ConfigKey"/> (a checkpoint name or hash; "random" for untrained weights).</param>
    /// <param name="name">The name embeddings are cached and reported under (default "dac"; "dac-ft" for fine-tuned weights).</param>
    public DacEncoder(DacModel model, string weights, string? name = null)
    {
        this.model = model;
        this.weights = weights;
        model.eval();
        Info = Describe(model.Config) with { Name = name ?? EncoderRegistry.Dac };
    }

    /// <summary>The Table 1 facts of a configuration: 1024-d at 44100 / 512 Hz, 862 (whole) or 870 (1 s chunks) frames per 10 s.</summary>
    // The latent rate is sample rate / hop (86.1 Hz); chunking adds padded frames, not rate (87 per 1 s chunk).
    public static EncoderInfo Describe(DacConfig c) =>
        new("dac", c.SampleRate, (double)c.SampleRate / c.HopLength, c.Latent, c.FramesPerSegment,
            $"DAC {c.SampleRate / 1000.0:0.#} kHz encoder + {c.NCodebooks}-codebook RVQ, quantised latent z, " +
            (c.ChunkSeconds is double s ? $"{s:0.###} s chunks" : "whole segments"));

    /// <param name="weightsId">What ConfigKey names the weights by (default: the file name of <paramref name="source"/>).</param>
    /// <param name="name">See the constructor.</param>
    public static DacEncoder FromStateDict(DacConfig config, IReadOnlyDictionary<string, Tensor> stateDict, string source, string? weightsId = null, string? name = null)
    {
        TorchRuntime.EnsureInitialised();
        var model = new DacModel(config);
        var report = model.LoadCheckpoint(stateDict, source);
        return new DacEncoder(model, weightsId ?? Path.GetFileName(source), name) { LoadReport = report };
    }

    /// <summary>Opens a released DAC weights file (its "state_dict" entry; "metadata" holds only plain values) and builds the encoder.</summary>
    public static DacEncoder FromCheckpoint(DacConfig config, string path)
    {
        TorchRuntime.EnsureInitialised();
        using var stateDict = EncoderCheckpoint.Load(path, "state_dict");
        return FromStateDict(config, stateDict, path, EncoderCheckpoint.Identity(path));
    }

    /// <summary>
    /// Opens a codec checkpoint written by lib/FineTuning: the model is built from the config in its metadata (toy or
    /// real) and named "dac-ft" once fine-tuned ("dac" at step 0).
    /// </summary>
    /// <param name="adapt">Changes the stored config before the model is built (e.g. the released code's 1 s chunks); null keeps it.</param>
    /// <exception cref="InvalidDataException">The file has no fine-tuning metadata, or it is another encoder's.</exception>
    public static DacEncoder FromFineTuned(string path, Func<DacConfig, DacConfig>? adapt = null)
    {
        var meta = FineTunedCheckpoint.Read(path) ?? throw new InvalidDataException($"{path}: no fine-tuning metadata (a released checkpoint: use FromCheckpoint with its config)");
        if (meta.Encoder != EncoderRegistry.Dac)
            throw new InvalidDataException($"{path}: holds fine-tuned {meta.Encoder} weights, not dac (use --encoder {meta.Encoder})");
        var config = meta.DacConfig();
        if (adapt is not null) config = adapt(config);
        TorchRuntime.EnsureInitialised();
        using var stateDict = EncoderCheckpoint.Load(path, "state_dict");
        return FromStateDict(config, stateDict, path, EncoderCheckpoint.Identity(path), meta.EmbeddingName);
    }

    public EncoderInfo Info { get; }
    public DacModel Model => model;
    /// <summary>What loading the weights did (null when built from a model): every key is loaded or a decoder key.</summary>
    public PianoJudges.Encoders.Weights.LoadReport? LoadReport { get; private init; }

    public string ConfigKey
    {
        get
        {
            var c = model.Config;
            string chunk = c.ChunkSeconds?.ToString("R", CultureInfo.InvariantCulture) ?? "whole";
            return $"dac|sr={c.SampleRate}|dim={c.EncoderDim}|rates={string.Join(",", c.Rates)}|latent={c.Latent}" +
                   $"|rvq={c.NCodebooks}x{c.CodebookSize}x{c.CodebookDim}|chunk={chunk}|seg={c.SegmentSeconds.ToString("R", CultureInfo.InvariantCulture)}|weights={weights}";
        }
    }

    /// <summary>(segments) audio at 44.1 kHz, each SegmentSeconds long -> Embedding (segments, FramesPerSegment, 1024) of quantised z.</summary>
    public Embedding Encode(SegmentedAudio audio, CancellationToken cancellationToken = default)
    {
        var c = model.Config;
        SegmentBatches.CheckInput(audio, "DAC", c.SampleRate, c.SegmentSeconds);
        using var noGrad = no_grad();
        // One segment at a time: the chunked (faithful) path already batches a segment's chunks.
        return SegmentBatches.Encode(audio, 1, c.FramesPerSegment, c.Latent, (start, _) => EncodeSegment(audio.Segments[start]).unsqueeze(0), cancellationToken);
    }

    /// <summary>One segment -> (FramesPerSegment, Latent) z, time-major.</summary>
    public Tensor EncodeSegment(float[] segment)
    {
        var c = model.Config;
        using var scope = NewDisposeScope();
        var x = tensor(segment);
        Tensor z;
        if (c.ChunkSamples is int chunk)
        {
            int whole = segment.Length / chunk;
            var parts = new List<Tensor>();
            if (whole > 0)
            {
                // Equal chunks encode independently, so one batch gives the same z as one call per chunk.
                var batch = x.narrow(0, 0, (long)whole * chunk).reshape(whole, 1, chunk);
                parts.Add(model.call(batch).permute(0, 2, 1).reshape(-1, c.Latent));
            }
            if (segment.Length % chunk != 0)
            {
                var tail = x.narrow(0, (long)whole * chunk, segment.Length - (long)whole * chunk).reshape(1, 1, -1);
                parts.Add(model.call(tail)[0].t());
            }
            z = cat(parts, 0);
        }
        else
        {
            z = model.call(x.reshape(1, 1, -1))[0].t();
        }
        return z.contiguous().MoveToOuterDisposeScope();
    }

    public void Dispose() => model.Dispose();
}
