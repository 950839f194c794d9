namespace PianoJudges.FineTuning.AudioMae;

using PianoJudges.Data;
using PianoJudges.Encoders.AudioMae;
using PianoJudges.Encoders.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Audio-MAE's pre-training step (engine_pretrain.py): per excerpt, mean removal, roll-and-magnitude augmentation,
/// the normalised Kaldi fbank; the masked-reconstruction loss, gradient accumulation over micro-batches, one AdamW
/// step with the learning rate of the warm-up + half-cycle cosine schedule (lr_sched.adjust_learning_rate, per step).
/// </summary>
public sealed class AudioMaePretraining : IFineTuningObjective
{
    private readonly AudioMaePretrainConfig config;
    private readonly AudioMaeMaskedAutoencoder model;
    private readonly MixedPrecisionModel<AudioMaeMaskedAutoencoder> mixed;
    private readonly DynamicLossScale lossScale;
    private readonly AdamW optimizer;
    private readonly long totalSteps;
    private readonly double peakLr;
    private readonly string startingWeights;

    /// <param name="config">Recipe and model shape.</param>
    /// <param name="totalSteps">Length of the run: the schedule's warm-up and cosine span it.</param>
    /// <param name="effectiveBatch">Excerpts per optimiser step (micro-batch x accumulation); sets lr = blr x batch / 256.</param>
    /// <param name="device">Where to train.</param>
    /// <param name="weights">A released models_mae checkpoint ("model" entry) or null for a random start (see <see cref="LoadReport"/>).</param>
    /// <param name="precision">Number format of the passes (manual mixed precision; the weights stay float32).</param>
    public AudioMaePretraining(AudioMaePretrainConfig config, long totalSteps, int effectiveBatch, Device? device = null,
        IReadOnlyDictionary<string, Tensor>? weights = null, string source = "weights", TrainingPrecision precision = TrainingPrecision.Fp32)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "must be at least 1");
        if (effectiveBatch < 1) throw new ArgumentOutOfRangeException(nameof(effectiveBatch), effectiveBatch, "must be at least 1");
        this.config = config;
        this.totalSteps = totalSteps;
        peakLr = config.PeakLearningRate(effectiveBatch);
        Device = device ?? CPU;
        startingWeights = weights is null ? "random" : source;
        model = new AudioMaeMaskedAutoencoder(config);
        if (weights is not null) LoadReport = LoadStartingPoint(weights, source);
        model.to(Device);
        optimizer = optim.AdamW(ParameterGroups(), peakLr, config.Beta1, config.Beta2);
        mixed = new MixedPrecisionModel<AudioMaeMaskedAutoencoder>(model, precision, () => new AudioMaeMaskedAutoencoder(config));
        lossScale = new DynamicLossScale(precision == TrainingPrecision.Fp16);
    }

    public TrainingPrecision Precision => mixed.Precision;
    /// <summary>The loss scale (float16 only; 1 otherwise) and its history.</summary>
    public DynamicLossScale LossScale => lossScale;

    public string Name => "audiomae";
    public int SampleRate => config.EncoderConfig.SampleRate;
    public int CropSamples => config.CropSamples;
    public int DefaultBatchSize => config.BatchSize;
    /// <summary>AudiosetDataset under DistributedSampler(shuffle=True), DataLoader(drop_last=True): each 10 s clip once per epoch.</summary>
    public ExcerptSampling Sampling => ExcerptSampling.AudioMae;
    public Device Device { get; }
    public AudioMaeMaskedAutoencoder Model => model;
    public AudioMaePretrainConfig Config => config;

    /// <summary>What loading the starting weights did (null for a random start): the decoder keys are missing from a fine-tuned classifier checkpoint.</summary>
    public LoadReport? LoadReport { get; }

    /// <summary>
    /// Loads a models_mae checkpoint by name. A checkpoint without the decoder (e.g. the AudioSet fine-tuned classifier, whose
    /// fc_norm/head are ignored) still starts the encoder; the decoder then starts random. A missing encoder key is an error.
    /// </summary>
    private LoadReport LoadStartingPoint(IReadOnlyDictionary<string, Tensor> weights, string source)
    {
        var known = model.state_dict().Keys.ToHashSet();
        var usable = weights.Where(kv => known.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var report = StateDictLoader.LoadInto(model, usable, strict: false, source: source);
        var missingEncoder = report.Missing.Where(k => !k.StartsWith("decoder_", StringComparison.Ordinal) && k != "mask_token" && k != "norm.weight" && k != "norm.bias").ToList();
        if (missingEncoder.Count > 0)
            throw new InvalidDataException($"{source}: not an Audio-MAE checkpoint for this config; missing encoder keys {string.Join(", ", missingEncoder.Take(8))}");
        return report with { Unexpected = weights.Keys.Where(k => !known.Contains(k)).ToList() };
    }

    /// <summary>timm add_weight_decay: parameters with one dimension or named *.bias get no decay; frozen ones (the sin-cos tables) are left out.</summary>
    private IEnumerable<AdamW.ParamGroup> ParameterGroups()
    {
        var decay = new List<Parameter>();
        var noDecay = new List<Parameter>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad) continue;
            if (p.dim() == 1 || name.EndsWith(".bias", StringComparison.Ordinal)) noDecay.Add(p);
            else decay.Add(p);
        }
        return
        [
            new AdamW.ParamGroup(noDecay, new AdamW.Options { weight_decay = 0.0 }),
            new AdamW.ParamGroup(decay, new AdamW.Options { weight_decay = config.WeightDecay }),
        ];
    }

    /// <summary>lr_sched.adjust_learning_rate with the epoch replaced by the fraction of the run: linear warm-up from 0, then half-cycle cosine to MinLearningRate.</summary>
    public double LearningRate(long step)
    {
        double warmup = config.WarmupFraction * totalSteps;
        if (step < warmup) return peakLr * step / warmup;
        double progress = (step - warmup) / Math.Max(1e-12, totalSteps - warmup);
        return config.MinLearningRate + (peakLr - config.MinLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1.0, progress)));
    }

    public IReadOnlyDictionary<string, double> Step(IReadOnlyList<float[][]> microBatches, long step, SplitMix64 rng)
    {
        double lr = LearningRate(step);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
        model.train();
        optimizer.zero_grad();
        mixed.Sync();
        var net = mixed.Compute;
        net.train();
        double scale = lossScale.Scale;
        double loss = 0;
        int k = microBatches.Count;
        foreach (var batch in microBatches)
        {
            using var scope = NewDisposeScope();
            var images = Fbanks(batch, rng);
            var output = net.call(images);
            (output.Loss * (scale / k)).backward();
            double value = output.Loss.item<float>();
            if (!double.IsFinite(value)) throw new InvalidOperationException($"Audio-MAE loss is {value} at step {step}; stopping (as engine_pretrain.py does)");
            loss += value / k;
        }
        bool finite = mixed.GradientsToMaster(scale, checkFinite: lossScale.Enabled);
        if (finite) optimizer.step();
        lossScale.Update(finite);
        if (lossScale.Enabled)
            return new Dictionary<string, double> { ["loss"] = loss, ["lr"] = lr, ["loss_scale"] = scale, ["skipped"] = finite ? 0 : 1 };
        return new Dictionary<string, double> { ["loss"] = loss, ["lr"] = lr };
    }

    /// <summary>The dataset loader's path per excerpt: x - mean(x), roll-and-magnitude augmentation, normalised fbank. (B, 1, T, F).</summary>
    public Tensor Fbanks(float[][] batch, SplitMix64 rng)
    {
        var e = config.EncoderConfig;
        var images = new List<Tensor>();
        foreach (var excerpt in batch)
        {
            if (excerpt.Length != CropSamples) throw new ArgumentException($"excerpt has {excerpt.Length} samples, expected {CropSamples}");
            double mean = excerpt.Average(v => (double)v);
            var x = new float[excerpt.Length];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(excerpt[i] - mean);
            if (config.RollMagAug) x = RollMagnitude(x, rng);
            images.Add(AudioMaeFrontEnd.Compute(x, e));
        }
        return stack(images).unsqueeze(1).to(Device);
    }

    /// <summary>dataset._roll_mag_aug: np.roll by a uniform offset, times Beta(10, 10) + 0.5.</summary>
    public static float[] RollMagnitude(float[] x, SplitMix64 rng)
    {
        int shift = rng.NextInt(x.Length);
        double magnitude = Beta(rng, 10, 10) + 0.5;
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++) y[(i + shift) % x.Length] = (float)(x[i] * magnitude);
        return y;
    }

    /// <summary>Beta(a, b) for whole a, b as G_a / (G_a + G_b), each Gamma(n, 1) a sum of n unit exponentials.</summary>
    private static double Beta(SplitMix64 rng, int a, int b)
    {
        double Gamma(int n)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s -= Math.Log(1.0 - rng.NextDouble());
            return s;
        }
        double ga = Gamma(a), gb = Gamma(b);
        return ga / (ga + gb);
    }

    public IEnumerable<KeyValuePair<string, Tensor>> TrainingState() => model.state_dict();

    public void LoadTrainingState(IReadOnlyDictionary<string, Tensor> state, string source) =>
        StateDictLoader.LoadInto(model, state, strict: true, source: source);

    public void SaveOptimisers(string folder)
    {
        optimizer.save_state_dict(Path.Combine(folder, "optimizer.bin"));
        lossScale.Save(folder);
    }

    public void LoadOptimisers(string folder)
    {
        optimizer.load_state_dict(Path.Combine(folder, "optimizer.bin"));
        lossScale.Load(folder);
    }

    /// <summary>The whole models_mae state_dict: AudioMaeVit (Pretrained layout) reads its encoder keys and skips decoder_* and mask_token.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> EncoderCheckpoint() => model.state_dict();

    public PianoJudges.Encoders.FineTunedCheckpoint DescribeEncoder() => new(
        PianoJudges.Encoders.EncoderRegistry.AudioMae,
        config == AudioMaePretrainConfig.Toy ? "toy" : config == AudioMaePretrainConfig.Release ? "real" : "custom",
        PianoJudges.Encoders.FineTunedCheckpoint.AudioMaeLayout,
        PianoJudges.Encoders.FineTunedCheckpoint.Serialise(config.EncoderConfig),
        $"masked spectrogram-patch reconstruction (mask ratio {config.MaskRatio.ToString(System.Globalization.CultureInfo.InvariantCulture)}, {config.DecoderMode} decoder)",
        StartingWeights: startingWeights);

    public void Dispose()
    {
        mixed.Dispose();
        optimizer.Dispose();
        model.Dispose();
    }
}
