namespace PianoJudges.FineTuning;

using PianoJudges.Data;
using static TorchSharp.torch;

/// <summary>
/// A self-supervised training objective with its models and optimisers: what <see cref="FineTuner"/> steps,
/// checkpoints and resumes. Implementations: <see cref="AudioMae.AudioMaePretraining"/> and <see cref="Dac.DacCodecTraining"/>.
/// </summary>
public interface IFineTuningObjective : IDisposable
{
    /// <summary>"audiomae" or "dac".</summary>
    string Name { get; }
    /// <summary>Rate the corpus is decoded at.</summary>
    int SampleRate { get; }
    /// <summary>Samples per training excerpt.</summary>
    int CropSamples { get; }
    /// <summary>Number format of the forward and backward passes (the weights and optimiser stay float32).</summary>
    TrainingPrecision Precision { get; }
    /// <summary>How the original release samples its training data (<see cref="ExcerptSampling.AudioMae"/>, <see cref="ExcerptSampling.Dac"/>).</summary>
    ExcerptSampling Sampling { get; }
    /// <summary>Excerpts per optimiser step of the configured recipe (before gradient accumulation is split out).</summary>
    int DefaultBatchSize { get; }
    /// <summary>The learning rate the next <see cref="Step"/> uses (the schedule is a function of the step).</summary>
    double LearningRate(long step);

    /// <summary>
    /// One optimiser step at 0-based <paramref name="step"/> over <paramref name="microBatches"/> (gradient accumulation: the
    /// gradients of all micro-batches are summed, each loss divided by their count). Each excerpt is a mono float array of
    /// <see cref="CropSamples"/> samples; <paramref name="rng"/> draws any data augmentation. Returns the numbers to log.
    /// </summary>
    IReadOnlyDictionary<string, double> Step(IReadOnlyList<float[][]> microBatches, long step, SplitMix64 rng);

    /// <summary>Every trained tensor under its checkpoint name (the original release's keys).</summary>
    IEnumerable<KeyValuePair<string, Tensor>> TrainingState();

    /// <summary>Loads <see cref="TrainingState"/> back (strict).</summary>
    void LoadTrainingState(IReadOnlyDictionary<string, Tensor> state, string source);

    /// <summary>Writes each optimiser's state into <paramref name="folder"/>.</summary>
    void SaveOptimisers(string folder);

    /// <summary>Reads the optimiser states written by <see cref="SaveOptimisers"/>.</summary>
    void LoadOptimisers(string folder);

    /// <summary>The tensors an encoder of lib/Encoders loads (same key layout as the original checkpoint).</summary>
    IEnumerable<KeyValuePair<string, Tensor>> EncoderCheckpoint();

    /// <summary>
    /// What <see cref="EncoderCheckpoint"/> is: encoder, size, layout, the encoder config as JSON, objective and starting
    /// weights (the run's step count, seed and corpus are filled in by <see cref="FineTuner"/>).
    /// </summary>
    PianoJudges.Encoders.FineTunedCheckpoint DescribeEncoder();

    /// <summary>The device the models live on (chosen at construction, before the optimisers are built).</summary>
    Device Device { get; }
}
