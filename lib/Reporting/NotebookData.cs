namespace PianoJudges.Reporting;

using PianoJudges.Data;
using PianoJudges.Encoders;
using PianoJudges.Probing;
using PianoJudges.Synthesis;

/// <summary>
/// The data and training the probing notebooks use at each <see cref="NotebookSize"/>, through the same library calls
/// as `pianojudges reproduce` (<see cref="PldSynth.Generate"/>, <see cref="DatasetEmbedding.Run"/>, <see cref="Table3.Run"/>),
/// so that the same dataset, seed and profile give the CLI's numbers.
/// </summary>
public static class NotebookData
{
    /// <summary>The PLD-synth configuration of a notebook size: the CLI's tiny, small or paper size.</summary>
    public static PldSynthConfig Config(NotebookSize size, ulong seed = PldSynthConfig.DefaultSeed) => size switch
    {
        NotebookSize.Tiny => PldSynthConfig.ForSize(PldSynthSizes.Tiny, seed),
        NotebookSize.Small => PldSynthConfig.ForSize(PldSynthSizes.Small, seed),
        _ => PldSynthConfig.ForSize(PldSynthSizes.Paper, seed),
    };

    /// <summary>The training profile of a notebook size, as `reproduce` picks it for the matching dataset size.</summary>
    public static ProbeProfile Profile(NotebookSize size) => size switch
    {
        NotebookSize.Tiny => ProbeProfile.Tiny,
        NotebookSize.Small => ProbeProfile.Small,
        _ => ProbeProfile.Paper,
    };

    /// <summary>Generates (or finds) the dataset and embeds it with the spectrogram baseline, printing progress lines.</summary>
    public static (ProbeDataset Dataset, DatasetEmbeddingResult Embedded) Prepare(DataPaths paths, PldSynthConfig config)
    {
        PldSynth.Generate(paths, config, NotebookProgress.Items($"PLD-synth {config.Size}"), Console.Out.WriteLine);
        var dataset = ProbeDataset.PldSynth(paths, config.Size);
        var encoder = EncoderRegistry.Create(EncoderRegistry.Spectrogram, new EncoderOptions(WeightsDirectory: paths.Weights));
        using var dispose = encoder as IDisposable;
        return (dataset, DatasetEmbedding.Run(paths, encoder, dataset, NotebookProgress.Items($"embed {encoder.Info.Name}")));
    }

    /// <summary>Trains and evaluates one task as `pianojudges table3 --task TASK` does, one line per epoch.</summary>
    public static ProbeExperimentResult Train(DataPaths paths, ProbeDataset dataset, EmbeddingCache cache, ProbeProfile profile,
        string task, ProbeMode mode = ProbeMode.Corrected) =>
        Table3.Run(paths, dataset, new Table3Options(Tasks: [task], Profile: profile, Mode: mode, Caches: [cache]), NotebookProgress.Training())
            .Results.Single();
}
