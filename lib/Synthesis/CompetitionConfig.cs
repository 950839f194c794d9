namespace PianoJudges.Synthesis;

/// <summary>
/// A synthetic piano competition in the icpc2015 schema: a field of near-equal candidates (skill near the top of the
/// virtuoso range), one preliminary recital each, and rounds decided by a noisy jury with the 2015 Chopin
/// Competition's round sizes scaled to the field. Label = rounds passed (0..4).
/// </summary>
/// <param name="Name">Folder name under the data folder's pld-synth/.</param>
/// <param name="Seed">Master seed.</param>
/// <param name="Candidates">Size of the field.</param>
/// <param name="RecitalSeconds">Duration range of the rendered preliminary recitals.</param>
/// <param name="SkillMean">Mean skill of the field (virtuosos span 0.75..1).</param>
/// <param name="SkillSd">Spread of skill across the field.</param>
/// <param name="FormSd">A candidate's form on the day of each round (SD added to skill).</param>
/// <param name="JurorSd">Disagreement of one juror's mark with the performance (SD).</param>
/// <param name="Jurors">Jurors whose marks are averaged.</param>
/// <param name="RequiredPieces">Pieces in the required repertoire (each candidate plays one).</param>
/// <param name="Samples">Velocity layers and note preparation.</param>
/// <param name="Parallelism">Recordings rendered at once (0 = all cores).</param>
public sealed record CompetitionConfig(
    string Name,
    ulong Seed,
    int Candidates,
    (double Min, double Max) RecitalSeconds,
    double SkillMean,
    double SkillSd,
    double FormSd,
    double JurorSd,
    int Jurors,
    int RequiredPieces,
    SalamanderOptions Samples,
    int Parallelism = 0)
{
    /// <summary>The paper's study ranks 137 candidates with recordings.</summary>
    public const int PaperField = 137;

    /// <summary>Prizes awarded in the final (2015: six).</summary>
    public const int Prizes = 6;

    /// <summary>Candidates admitted to stage I, II, III and the final: the 2015 sizes (78, 43, 20, 10 of 160) scaled to the field.</summary>
    public IReadOnlyList<int> StageSizes
    {
        get
        {
            var real = PldPaperCounts.CompetitionStages;
            var sizes = new int[real.Count - 1];
            for (int k = 1; k < real.Count; k++)
                sizes[k - 1] = Math.Max(1, (int)Math.Round((double)Candidates * real[k] / real[0]));
            for (int k = 1; k < sizes.Length; k++) sizes[k] = Math.Min(sizes[k], Math.Max(1, sizes[k - 1] - 1));
            return sizes;
        }
    }

    /// <summary>tiny: a dozen 4 s recitals for the tests; small and paper: the paper's field of 137 (30 s and 240-300 s recitals).</summary>
    public static CompetitionConfig ForSize(string size, ulong seed = PldSynthConfig.DefaultSeed) => size switch
    {
        PldSynthSizes.Tiny => new("competition-tiny", seed, 12, (3, 4), 0.9, 0.04, 0.02, 0.03, 12, 2, PldSynthConfig.SamplesFor(size)),
        PldSynthSizes.Small => new("competition-small", seed, PaperField, (25, 35), 0.9, 0.04, 0.02, 0.03, 12, 3, PldSynthConfig.SamplesFor(size)),
        PldSynthSizes.Paper => new("competition-paper", seed, PaperField, (240, 300), 0.9, 0.04, 0.02, 0.03, 17, 4, PldSynthConfig.SamplesFor(size)),
        _ => throw new ArgumentException($"unknown competition size '{size}'; expected one of {string.Join(", ", PldSynthSizes.All)}", nameof(size)),
    };
}
