using PianoJudges.Metrics;

namespace PianoJudges.Competition;

/// <summary>
/// The paper's numbers for the ICPC-2015 study (Table 4), in one place, shown beside ours.
/// <para>
/// We could not check Table 4's printed values against the paper itself (its text was not available to us while this
/// was written), so every printed value is null rather than a number typed from memory. Fill <see cref="Printed"/> from
/// the paper when it is at hand; everything else reads it from here.
/// </para>
/// <para>
/// What we can verify is the authors' released output: pairs_prediction.csv of their repository (anusfoil/PianoJudges),
/// written by scripts/competition_rank.py from <c>rank_test_dac_2_True_predictions.csv</c>, holds 8418 ordered pairs of
/// 113 candidates (every pair in both orders, equal scores excluded) with the true and the predicted 2-way label of a
/// DAC model. Its confusion matrix is <see cref="ReleasedDacConfusion"/>; which Table 4 row (with or without fitting) it
/// belongs to is not recorded in the release.
/// </para>
/// </summary>
public static class PaperTable4
{
    public enum Setting { WithoutFitting, WithFitting }

    /// <summary>A paper value pair; null where unknown.</summary>
    public sealed record Entry(string Encoder, Setting Setting, double? Accuracy, double? F1);

    /// <summary>Table 4 as printed: encoders of Table 1 in the paper's order, both settings; unverified values are null.</summary>
    public static IReadOnlyList<Entry> Printed { get; } =
    [
        .. new[] { "spectrogram", "mert", "audiomae", "dac", "jukebox" }
            .SelectMany(e => new[] { new Entry(e, Setting.WithoutFitting, null, null), new Entry(e, Setting.WithFitting, null, null) }),
    ];

    /// <summary>The paper's entry for an encoder (registry name, case-insensitive) and setting; null when there is none.</summary>
    public static Entry? Lookup(string encoder, Setting? setting) =>
        setting is null ? null : Printed.FirstOrDefault(e => e.Setting == setting && string.Equals(e.Encoder, encoder, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Confusion matrix of the released DAC predictions, [true, predicted] with the <see cref="PairLabel"/> convention
    /// (0 = first better): counted from pairs_prediction.csv (columns true_labels, predicted_labels).
    /// </summary>
    public static readonly int[,] ReleasedDacConfusion = { { 2264, 1945 }, { 1921, 2288 } };

    /// <summary>Candidates in the released predictions.</summary>
    public const int ReleasedDacCandidates = 113;

    /// <summary>Accuracy and macro F1 of the released DAC predictions, computed from <see cref="ReleasedDacConfusion"/> by lib/Metrics.</summary>
    public static (double Accuracy, double F1, int Pairs) ReleasedDac()
    {
        var truth = new List<int>();
        var predicted = new List<int>();
        for (int t = 0; t < 2; t++)
            for (int p = 0; p < 2; p++)
                for (int k = 0; k < ReleasedDacConfusion[t, p]; k++) { truth.Add(t); predicted.Add(p); }
        var report = Multiclass.Evaluate(truth.ToArray(), predicted.ToArray(), 2);
        return (report.Accuracy, report.MacroF1, report.N);
    }
}
