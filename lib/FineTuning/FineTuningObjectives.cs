namespace PianoJudges.FineTuning;

using PianoJudges.Encoders;
using PianoJudges.Encoders.Weights;
using PianoJudges.FineTuning.AudioMae;
using PianoJudges.FineTuning.Dac;
using static TorchSharp.torch;

/// <summary>Model sizes: the original recipe's, or a tiny one for teaching runs.</summary>
public enum FineTuningSize
{
    Toy,
    Real,
}

/// <summary>Builds an objective by encoder name ("audiomae", "dac"), size and optional starting weights.</summary>
public static class FineTuningObjectives
{
    public static readonly IReadOnlyList<string> Names = EncoderRegistry.FineTunable;

    /// <summary>The recipe's batch per optimiser step for that encoder and size.</summary>
    public static int RecipeBatch(string encoder, FineTuningSize size) => encoder switch
    {
        "audiomae" => (size == FineTuningSize.Toy ? AudioMaePretrainConfig.Toy : AudioMaePretrainConfig.Release).BatchSize,
        "dac" => (size == FineTuningSize.Toy ? DacTrainingConfig.Toy : DacTrainingConfig.Release).BatchSize,
        _ => throw Unknown(encoder),
    };

    /// <param name="encoder">"audiomae" or "dac".</param>
    /// <param name="size">Toy or Real (the original model and recipe).</param>
    /// <param name="totalSteps">Steps of the run (Audio-MAE's schedule spans them).</param>
    /// <param name="effectiveBatch">Excerpts per optimiser step (Audio-MAE scales its lr by it).</param>
    /// <param name="device">Where to train.</param>
    /// <param name="weightsPath">Starting weights (.pth / .bin / .safetensors): a models_mae checkpoint or a DAC codec state_dict; null = random.</param>
    /// <param name="precision">Number format of the passes (manual mixed precision; float32 weights either way).</param>
    public static IFineTuningObjective Create(string encoder, FineTuningSize size, long totalSteps, int effectiveBatch, Device device, string? weightsPath = null,
        TrainingPrecision precision = TrainingPrecision.Fp32)
    {
        // The released files: Audio-MAE's {"model": ..., "args": argparse.Namespace}, DAC's {"state_dict": ..., "metadata": ...}.
        StateDict? weights = weightsPath is null ? null : encoder == "audiomae"
            ? EncoderCheckpoint.Load(weightsPath, "model", ["argparse.Namespace"])
            : EncoderCheckpoint.Load(weightsPath, "state_dict");
        try
        {
            return encoder switch
            {
                "audiomae" => new AudioMaePretraining(size == FineTuningSize.Toy ? AudioMaePretrainConfig.Toy : AudioMaePretrainConfig.Release,
                    totalSteps, effectiveBatch, device, weights, weightsPath ?? "random", precision),
                "dac" => new DacCodecTraining(size == FineTuningSize.Toy ? DacTrainingConfig.Toy : DacTrainingConfig.Release,
                    device, weights, null, weightsPath ?? "random", precision),
                _ => throw Unknown(encoder),
            };
        }
        finally
        {
            weights?.Dispose();
        }
    }

    private static ArgumentException Unknown(string encoder) =>
        new($"unknown encoder '{encoder}'; fine-tuning supports {string.Join(", ", Names)}");
}
