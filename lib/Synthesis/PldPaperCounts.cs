namespace PianoJudges.Synthesis;

/// <summary>
/// The Pianism-Labeling Dataset's sizes, from the paper and its published metadata (reference-data/pianojudges):
/// the one place these numbers are typed. Durations are the metadata's ranges, capped at the 300 s (30 x 10 s
/// segments) the models see.
/// </summary>
public static class PldPaperCounts
{
    /// <summary>Expertise recordings per level (beginner, advanced, virtuoso), as used in the paper.</summary>
    public static readonly IReadOnlyList<int> ExpertisePerLevel = [562, 570, 562];

    /// <summary>CIPI pieces per Henle grade 1..9 (difficulty_metadata.csv: 737 in all).</summary>
    public static readonly IReadOnlyList<int> DifficultyPerGrade = [14, 42, 54, 95, 137, 161, 134, 61, 39];

    /// <summary>The CIPI split used by the paper: 444 train / 152 validation / 141 test.</summary>
    public static readonly IReadOnlyList<int> DifficultySplit = [444, 152, 141];

    public const int TechniqueClips = 222;

    /// <summary>
    /// Technique label sets (multi-hot in Techniques.Names order) and how many of the 222 clips carry each
    /// (technique_metadata.csv). Single labels dominate; Repeatednotes+Staccato is the commonest pair.
    /// </summary>
    public static readonly IReadOnlyList<(string Labels, int Count)> TechniqueCombinations =
    [
        ("1000000", 43), ("0100000", 35), ("0000100", 27), ("0000010", 24), ("0010000", 23), ("0001000", 17),
        ("0001001", 15), ("0000001", 10), ("0010001", 5), ("0100010", 4), ("0000101", 3), ("0000011", 3),
        ("1000100", 2), ("1000001", 2), ("0000110", 2), ("0100001", 1), ("0001100", 1), ("1000010", 1),
        ("0011000", 1), ("0011001", 1), ("0001011", 1), ("0010100", 1),
    ];

    /// <summary>Duration ranges (seconds) per expertise level: novice median 70 s, advanced (kept &lt; 400 s) median 255 s, virtuoso median 174 s.</summary>
    public static readonly IReadOnlyList<(double Min, double Max)> ExpertiseSeconds = [(30, 180), (120, 300), (60, 299)];

    /// <summary>Difficulty recordings: whole pieces or movements, cut at 300 s by the models (no durations published).</summary>
    public static readonly (double Min, double Max) DifficultySeconds = (60, 300);

    /// <summary>Technique clips: median 44 s.</summary>
    public static readonly (double Min, double Max) TechniqueSeconds = (10, 90);

    /// <summary>The 2015 Chopin Competition's field at each stage: applicants, stage I, stage II, stage III, final.</summary>
    public static readonly IReadOnlyList<int> CompetitionStages = [160, 78, 43, 20, 10];
}
