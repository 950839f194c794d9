namespace PianoJudges.FineTuning.Dac;

using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Encoders.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// DAC's training iteration (scripts/train.py train_loop): the generator reconstructs the batch; the discriminator
/// takes one step on the detached reconstruction (LSGAN, grad-norm clip 10); then the generator takes one step on
/// 15 mel + 1 adversarial + 2 feature-matching + 0.25 commitment + 1 codebook (grad-norm clip 1000). Both use AdamW
/// (lr 1e-4, betas 0.8/0.99) with ExponentialLR (gamma 0.999996 per iteration).
/// </summary>
public sealed class DacCodecTraining : IFineTuningObjective
{
    private readonly DacTrainingConfig config;
    private readonly DacCodec generator;
    private readonly DacDiscriminator discriminator;
    private readonly DacMelLoss melLoss;
    private readonly OptimizerHelper optimizerG, optimizerD;
    private readonly string startingWeights;
    private readonly LoudnessMeter meter;
    private readonly MixedPrecisionModel<DacCodec> mixedG;
    private readonly MixedPrecisionModel<DacDiscriminator> mixedD;
    private readonly DynamicLossScale lossScale;

    /// <param name="config">Recipe and model shape.</param>
    /// <param name="device">Where to train; models move there before the optimisers are built.</param>
    /// <param name="generatorWeights">Released DAC weights (its "state_dict": encoder, quantizer, decoder) or null for a random start.</param>
    /// <param name="discriminatorWeights">Discriminator weights or null (the released codec ships none: it starts random).</param>
    /// <param name="precision">Number format of the passes (manual mixed precision; the weights stay float32). base.yml trains in float32 (amp: false).</param>
    public DacCodecTraining(DacTrainingConfig config, Device? device = null, IReadOnlyDictionary<string, Tensor>? generatorWeights = null,
        IReadOnlyDictionary<string, Tensor>? discriminatorWeights = null, string source = "weights", TrainingPrecision precision = TrainingPrecision.Fp32)
    {
        config.Validate();
        this.config = config;
        Device = device ?? CPU;
        startingWeights = generatorWeights is null ? "random" : source;
        generator = new DacCodec(config);
        discriminator = new DacDiscriminator(config);
        if (generatorWeights is not null) StateDictLoader.LoadInto(generator, generatorWeights, strict: true, source: source);
        if (discriminatorWeights is not null) StateDictLoader.LoadInto(discriminator, discriminatorWeights, strict: true, source: source);
        generator.to(Device);
        discriminator.to(Device);
        meter = new LoudnessMeter(config.CodecConfig.SampleRate, LoudnessMeterOptions.Audiotools);
        melLoss = new DacMelLoss(config.CodecConfig.SampleRate, config.MelWindows, config.MelSizes);
        optimizerG = optim.AdamW(generator.parameters(), config.LearningRate, config.Beta1, config.Beta2, weight_decay: config.WeightDecay);
        optimizerD = optim.AdamW(discriminator.parameters(), config.LearningRate, config.Beta1, config.Beta2, weight_decay: config.WeightDecay);
        mixedG = new MixedPrecisionModel<DacCodec>(generator, precision, () => new DacCodec(config));
        mixedD = new MixedPrecisionModel<DacDiscriminator>(discriminator, precision, () => new DacDiscriminator(config));
        lossScale = new DynamicLossScale(precision == TrainingPrecision.Fp16);
    }

    public TrainingPrecision Precision => mixedG.Precision;
    /// <summary>The loss scale (float16 only; 1 otherwise), shared by both optimisers as one GradScaler would be.</summary>
    public DynamicLossScale LossScale => lossScale;

    public string Name => "dac";
    public int SampleRate => config.CodecConfig.SampleRate;
    public int CropSamples => config.CropSamples;
    public int DefaultBatchSize => config.BatchSize;
    /// <summary>audiotools' AudioDataset (without_replacement) and salient_excerpt with loudness_cutoff -40.</summary>
    public ExcerptSampling Sampling => ExcerptSampling.Dac;
    public Device Device { get; }
    public DacCodec Generator => generator;
    public DacDiscriminator Discriminator => discriminator;
    public DacTrainingConfig Config => config;

    /// <summary>ExponentialLR stepped once per iteration: lr * gamma^step.</summary>
    public double LearningRate(long step) => config.LearningRate * Math.Pow(config.Gamma, step);

    /// <summary>Order of the optimiser steps in the last <see cref="Step"/> ("discriminator", "generator"), for checks.</summary>
    public IReadOnlyList<string> LastStepOrder => lastOrder;
    private readonly List<string> lastOrder = [];

    public IReadOnlyDictionary<string, double> Step(IReadOnlyList<float[][]> microBatches, long step, SplitMix64 rng)
    {
        lastOrder.Clear();
        double lr = LearningRate(step);
        SetLearningRate(optimizerG, lr);
        SetLearningRate(optimizerD, lr);
        generator.train();
        discriminator.train();
        mixedG.Sync();
        mixedD.Sync();
        DacCodec g = mixedG.Compute;
        DacDiscriminator d = mixedD.Compute;
        g.train();
        d.train();
        var dtype = mixedG.DType;
        double scale = lossScale.Scale;
        bool check = lossScale.Enabled;
        // Losses in float32 (the discriminator's features and the codec's outputs cast up), passes in the compute dtype.
        List<Tensor> Up(List<Tensor> x) => x.Select(t => t.to(ScalarType.Float32)).ToList();
        List<List<Tensor>> D(Tensor x) => d.call(x).Select(Up).ToList();
        int k = microBatches.Count;
        using var scope = NewDisposeScope();
        var signals = microBatches.Select(b => Prepare(b, rng)).ToList();
        var inputs = signals.Select(x => x.to(dtype)).ToList();
        var outputs = inputs.Select(x => g.call(x)).ToList();

        optimizerD.zero_grad();
        double discLoss = 0;
        for (int i = 0; i < k; i++)
        {
            var lossD = DacGanLoss.Discriminator(D(outputs[i].Audio.detach()), D(inputs[i]));
            (lossD * (scale / k)).backward();
            discLoss += lossD.item<float>() / k;
        }
        bool finiteD = mixedD.GradientsToMaster(scale, check);
        double gradNormD = double.NaN;
        if (finiteD)
        {
            gradNormD = nn.utils.clip_grad_norm_(discriminator.parameters(), config.DiscriminatorClip);
            optimizerD.step();
        }
        lastOrder.Add("discriminator");
        // The generator's adversarial losses see the updated discriminator, as in train_loop.
        mixedD.Sync();

        optimizerG.zero_grad();
        double mel = 0, adv = 0, feat = 0, commit = 0, codebook = 0, total = 0;
        for (int i = 0; i < k; i++)
        {
            var o = outputs[i];
            var audio = o.Audio.to(ScalarType.Float32);
            var lMel = melLoss.Loss(audio, signals[i]);
            var (lAdv, lFeat) = DacGanLoss.Generator(D(o.Audio), D(inputs[i]));
            var (lCommit, lCodebook) = (o.CommitmentLoss.to(ScalarType.Float32), o.CodebookLoss.to(ScalarType.Float32));
            var loss = config.LambdaMel * lMel + config.LambdaAdversarial * lAdv + config.LambdaFeature * lFeat
                       + config.LambdaCommitment * lCommit + config.LambdaCodebook * lCodebook;
            (loss * (scale / k)).backward();
            mel += lMel.item<float>() / k;
            adv += lAdv.item<float>() / k;
            feat += lFeat.item<float>() / k;
            commit += lCommit.item<float>() / k;
            codebook += lCodebook.item<float>() / k;
            total += loss.item<float>() / k;
        }
        bool finiteG = mixedG.GradientsToMaster(scale, check);
        mixedD.ZeroComputeGradients(); // what the generator loss left in the discriminator
        double gradNormG = double.NaN;
        if (finiteG)
        {
            gradNormG = nn.utils.clip_grad_norm_(generator.parameters(), config.GeneratorClip);
            optimizerG.step();
        }
        lastOrder.Add("generator");
        lossScale.Update(finiteD && finiteG);

        var values = new Dictionary<string, double>
        {
            ["loss"] = total, ["mel/loss"] = mel, ["adv/gen_loss"] = adv, ["adv/feat_loss"] = feat,
            ["vq/commitment_loss"] = commit, ["vq/codebook_loss"] = codebook, ["adv/disc_loss"] = discLoss,
            ["other/grad_norm"] = gradNormG, ["other/grad_norm_d"] = gradNormD, ["lr"] = lr,
        };
        if (lossScale.Enabled)
        {
            values["loss_scale"] = scale;
            values["skipped"] = finiteD && finiteG ? 0 : 1;
        }
        return values;
    }

    /// <summary>
    /// The release's postprocess of each excerpt (conf/base.yml): VolumeNorm to LoudnessDb LUFS (BS.1770 as audiotools
    /// measures it), RescaleAudio (down to a peak of 1 if above), then ShiftPhase by an angle drawn from
    /// <paramref name="rng"/>, uniform in [-pi, pi) per excerpt. (B, 1, T) on the device.
    /// </summary>
    public Tensor Prepare(float[][] batch, SplitMix64 rng)
    {
        int t = CropSamples;
        var data = new float[batch.Length * t];
        var angles = new double[batch.Length];
        for (int b = 0; b < batch.Length; b++)
        {
            if (batch[b].Length != t) throw new ArgumentException($"excerpt {b} has {batch[b].Length} samples, expected {t}");
            var x = (float[])batch[b].Clone();
            DacTransforms.VolumeNorm(x, meter, config.LoudnessDb);
            DacTransforms.RescaleAudio(x);
            x.CopyTo(data, b * t);
            angles[b] = Math.PI * (2 * rng.NextDouble() - 1);
        }
        var signal = tensor(data, [batch.Length, 1, t]).to(Device);
        return config.ShiftPhase ? DacTransforms.ShiftPhase(signal, angles, SampleRate) : signal;
    }

    private static void SetLearningRate(OptimizerHelper optimizer, double lr)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }

    public IEnumerable<KeyValuePair<string, Tensor>> TrainingState() =>
        generator.state_dict().Select(kv => KeyValuePair.Create("generator." + kv.Key, kv.Value))
            .Concat(discriminator.state_dict().Select(kv => KeyValuePair.Create("discriminator." + kv.Key, kv.Value)));

    public void LoadTrainingState(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        Dictionary<string, Tensor> Part(string prefix) => state.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        StateDictLoader.LoadInto(generator, Part("generator."), strict: true, source: source);
        StateDictLoader.LoadInto(discriminator, Part("discriminator."), strict: true, source: source);
    }

    public void SaveOptimisers(string folder)
    {
        optimizerG.save_state_dict(Path.Combine(folder, "optimizer_g.bin"));
        optimizerD.save_state_dict(Path.Combine(folder, "optimizer_d.bin"));
        lossScale.Save(folder);
    }

    public void LoadOptimisers(string folder)
    {
        optimizerG.load_state_dict(Path.Combine(folder, "optimizer_g.bin"));
        optimizerD.load_state_dict(Path.Combine(folder, "optimizer_d.bin"));
        lossScale.Load(folder);
    }

    /// <summary>The generator's state_dict, keys as the release's DAC .pth "state_dict" (DacModel skips decoder.*).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> EncoderCheckpoint() => generator.state_dict();

    public PianoJudges.Encoders.FineTunedCheckpoint DescribeEncoder() => new(
        PianoJudges.Encoders.EncoderRegistry.Dac,
        config == DacTrainingConfig.Toy ? "toy" : config == DacTrainingConfig.Release ? "real" : "custom",
        PianoJudges.Encoders.FineTunedCheckpoint.DacLayout,
        PianoJudges.Encoders.FineTunedCheckpoint.Serialise(config.CodecConfig),
        "codec: multi-scale mel + LSGAN (MPD, MRD) + feature matching + RVQ commitment/codebook",
        StartingWeights: startingWeights);

    public void Dispose()
    {
        mixedG.Dispose();
        mixedD.Dispose();
        optimizerG.Dispose();
        optimizerD.Dispose();
        melLoss.Dispose();
        generator.Dispose();
        discriminator.Dispose();
    }
}
