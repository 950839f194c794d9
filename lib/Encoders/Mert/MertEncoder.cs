namespace PianoJudges.Encoders.Mert;

using PianoJudges.Audio;
using PianoJudges.Encoders.Weights;
using PianoJudges.Native;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Settings of the MERT encoder; every one that changes the output is part of <see cref="MertEncoder.ConfigKey"/>.</summary>
/// <param name="Config">Architecture (default MERT-v1-330M, the paper's).</param>
/// <param name="Layer">Hidden state(s) kept (default: the last, as in the paper).</param>
/// <param name="BatchSize">Segments per forward pass.</param>
/// <param name="Device">"cpu" or "cuda" (or "cuda:N").</param>
/// <param name="Normalize">The processor's do_normalize: each segment to zero mean and unit variance (true in MERT's preprocessor_config.json).</param>
/// <param name="WeightsPath">--weights: a checkpoint file or a folder; null searches the Hugging Face cache.</param>
/// <param name="Revision">Hub revision to look up in the cache.</param>
public sealed record MertEncoderOptions(
    MertConfig? Config = null,
    MertLayerSelection? Layer = null,
    int BatchSize = 2,
    string Device = "cpu",
    bool Normalize = true,
    string? WeightsPath = null,
    string Revision = "main")
{
    public MertConfig ModelConfig => Config ?? MertConfig.Mert330M;
    public MertLayerSelection LayerSelection => Layer ?? MertLayerSelection.Last;
}

/// <summary>
/// MERT as the paper uses it: 24 kHz mono audio in 10 s segments, each normalised like MERT's
/// Wav2Vec2FeatureExtractor (zero mean, unit variance: (x - mean) / sqrt(var + 1e-7)), encoded
/// without gradients, and one hidden state (the last, by default) stored per segment:
/// (749, 1024) per 10 s for MERT-v1-330M, 75 frames per second less one frame lost to the
/// convolution borders, as the released code stores it.
/// For a zero-padded final segment only the real samples are normalised and the padding stays 0
/// (as the processor does with an attention mask); the segment is encoded whole.
/// </summary>
public sealed class MertEncoder : IAudioEncoder, IDisposable
{
    /// <summary>Checkpoint file names, in order of preference, in a MERT repository snapshot.</summary>
    public static readonly IReadOnlyList<string> CheckpointFileNames = ["model.safetensors", "pytorch_model.bin"];

    private readonly MertModel _model;
    private readonly Device _device;
    private readonly string _weightsId;

    /// <summary>Wraps a model whose weights are already in place (tests, benchmarks); <paramref name="weightsId"/> names them in the config key.</summary>
    public MertEncoder(MertModel model, MertEncoderOptions options, string weightsId)
    {
        TorchRuntime.EnsureInitialised();
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "batch size must be positive");
        Options = options;
        _model = model;
        _weightsId = weightsId;
        _device = ParseDevice(options.Device);
        options.LayerSelection.Range(model.Config.NumHiddenLayers); // fail early on an impossible layer
        _model.eval();
        _model.to(_device);
        Info = Describe(model.Config, options.LayerSelection);
    }

    /// <summary>The Table 1 facts of a MERT configuration: for MERT-v1-330M 24 kHz, 75 Hz, 1024-d, 749 frames per 10 s.</summary>
    public static EncoderInfo Describe(MertConfig c, MertLayerSelection layer) =>
        new("mert", c.SampleRate, (double)c.SampleRate / c.ConvStride.Aggregate(1, (a, b) => a * b), c.HiddenSize,
            c.FrameCount(10L * c.SampleRate), $"{c.ModelId}, hidden state {layer}");

    /// <summary>
    /// Loads MERT weights: from <see cref="MertEncoderOptions.WeightsPath"/> when given, else from the user's
    /// Hugging Face cache, else from <paramref name="projectWeightsDirectory"/> (DataPaths.Weights). A config.json
    /// beside the checkpoint overrides the preset architecture.
    /// </summary>
    public static MertEncoder Load(MertEncoderOptions options, string? projectWeightsDirectory = null)
    {
        TorchRuntime.EnsureInitialised();
        var config = options.ModelConfig;
        string file = new WeightsLocator(config.ModelId, CheckpointFileNames, options.Revision).Resolve(options.WeightsPath, projectWeightsDirectory);
        string configJson = Path.Combine(Path.GetDirectoryName(file)!, "config.json");
        if (File.Exists(configJson)) config = MertConfig.FromJson(configJson, config.ModelId);
        var model = new MertModel(config);
        try
        {
            using var sd = StateDict.Load(file);
            StateDictLoader.LoadInto(model, sd, strict: true, optional: MertModel.OptionalKeys);
            return new MertEncoder(model, options with { Config = config }, EncoderCheckpoint.Identity(file));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public MertEncoderOptions Options { get; }
    public EncoderInfo Info { get; }
    public MertModel Model => _model;

    public string ConfigKey =>
        $"mert|model={_model.Config.ModelId}|weights={_weightsId}|layer={Options.LayerSelection}|normalize={Options.Normalize}|dtype=float32";

    public Embedding Encode(SegmentedAudio audio, CancellationToken cancellationToken = default)
    {
        SegmentBatches.CheckInput(audio, "MERT", Info.SampleRate);
        int n = audio.Count, len = audio.SegmentSamples;
        int frames = _model.Config.FrameCount(len);
        if (n > 0 && frames == 0)
            throw new ArgumentException($"segments of {len} samples are too short for MERT's feature encoder");
        var (from, to) = Options.LayerSelection.Range(_model.Config.NumHiddenLayers);
        using var _ = torch.inference_mode();
        return SegmentBatches.Encode(audio, Options.BatchSize, frames, Info.Dim, (start, b) =>
        {
            var batch = new float[(long)b * len];
            for (int i = 0; i < b; i++)
            {
                var seg = audio.Segments[start + i];
                if (seg.Length != len) throw new ArgumentException($"segment {start + i} has {seg.Length} samples; every segment must have {len}");
                int valid = Math.Clamp(audio.ValidSamples[start + i], 0, len);
                var dst = batch.AsSpan(i * len, len);
                seg.CopyTo(dst);
                if (Options.Normalize) NormalizeInPlace(dst[..valid]);
            }
            var states = _model.HiddenStates(torch.tensor(batch, [b, len]).to(_device), i => i >= from && i <= to);
            return from == to ? states[from]! : torch.stack(states[from..(to + 1)].Select(s => s!), 0).mean([0]);
        }, cancellationToken);
    }

    /// <summary>Wav2Vec2FeatureExtractor's zero_mean_unit_var_norm: (x - mean) / sqrt(var + 1e-7), population variance.</summary>
    public static void NormalizeInPlace(Span<float> x)
    {
        if (x.Length == 0) return;
        double mean = 0;
        foreach (var v in x) mean += v;
        mean /= x.Length;
        double var = 0;
        foreach (var v in x) var += (v - mean) * (v - mean);
        var /= x.Length;
        double scale = 1.0 / Math.Sqrt(var + 1e-7);
        for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - mean) * scale);
    }

    private static Device ParseDevice(string device)
    {
        string d = device.Trim().ToLowerInvariant();
        bool cuda = d == "cuda" || (d.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(d[5..], out _));
        if (d != "cpu" && !cuda)
            throw new ArgumentException($"--device {device}: allowed values are cpu, cuda, cuda:N");
        if (cuda)
        {
            bool available;
            try { available = torch.cuda.is_available(); }
            catch (InvalidOperationException) { available = false; }
            if (!available)
                throw new ArgumentException($"--device {device}: CUDA is not available to this build (it ships the CPU libtorch); use --device cpu");
        }
        try { return torch.device(d); }
        catch (InvalidOperationException e) { throw new ArgumentException($"--device {device}: {e.Message}", e); }
    }

    public void Dispose() => _model.Dispose();
}
