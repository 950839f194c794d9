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
    public DacEncoder(DacModel model, string weights)
    {
        this.model = model;
        this.weights = weights;
        model.eval();
        Info = Describe(model.Config);
    }

    /// <summary>The Table 1 facts of a configuration: 1024-d at 44100 / 512 Hz, 862 (whole) or 870 (1 s chunks) frames per 10 s.</summary>
    // The latent rate is sample rate / hop (86.1 Hz); chunking adds padded frames, not rate (87 per 1 s chunk).
    public static EncoderInfo Describe(DacConfig c) =>
        new("dac", c.SampleRate, (double)c.SampleRate / c.HopLength, c.Latent, c.FramesPerSegment,
            $"DAC {c.SampleRate / 1000.0:0.#} kHz encoder + {c.NCodebooks}-codebook RVQ, quantised latent z, " +
            (c.ChunkSeconds is double s ? $"{s:0.###} s chunks" : "whole segments"));

    /// <param name="weightsId">What ConfigKey names the weights by (default: the file name of <paramref name="source"/>).</param>
    public static DacEncoder FromStateDict(DacConfig config, IReadOnlyDictionary<string, Tensor> stateDict, string source, string? weightsId = null)
    {
        TorchRuntime.EnsureInitialised();
        var model = new DacModel(config);
        model.LoadCheckpoint(stateDict, source);
        return new DacEncoder(model, weightsId ?? Path.GetFileName(source));
    }

    /// <summary>Opens a released DAC weights file (its "state_dict" entry; "metadata" holds only plain values) and builds the encoder.</summary>
    public static DacEncoder FromCheckpoint(DacConfig config, string path)
    {
        TorchRuntime.EnsureInitialised();
        using var stateDict = EncoderCheckpoint.Load(path, "state_dict");
        return FromStateDict(config, stateDict, path, EncoderCheckpoint.Identity(path));
    }

    public EncoderInfo Info { get; }
    public DacModel Model => model;

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
