namespace PianoJudges.Synthesis;

using System.Diagnostics;
using System.Globalization;
using PianoJudges.Audio;
using PianoJudges.Data;

/// <summary>The dataset sizes PLD-synth knows.</summary>
public static class PldSynthSizes
{
    public const string Tiny = "tiny";
    public const string Small = "small";
    public const string Paper = "paper";
    public static readonly IReadOnlyList<string> All = [Tiny, Small, Paper];
}

/// <summary>Everything that decides a PLD-synth dataset; the same config and seed give byte-identical files.</summary>
/// <param name="Size">Name of the dataset folder under <see cref="DataPaths.PldSynth"/>.</param>
/// <param name="Seed">Master seed.</param>
/// <param name="ExpertisePerLevel">Recordings per expertise level (beginner, advanced, virtuoso).</param>
/// <param name="ExpertiseSeconds">Duration range per expertise level.</param>
/// <param name="DifficultyPerGrade">Pieces per Henle grade 1..9.</param>
/// <param name="DifficultySeconds">Duration range of difficulty recordings.</param>
/// <param name="TechniqueClips">Number of technique clips.</param>
/// <param name="TechniqueSeconds">Duration range of technique clips.</param>
/// <param name="TechniqueCombinations">Label sets and their relative frequencies.</param>
/// <param name="Samples">Velocity layers and note preparation.</param>
/// <param name="TieRecordingToLevel">Tie recording quality to expertise (beginners' phones vs studio virtuosos), the confound of the real data; off: quality is independent of every label.</param>
/// <param name="RecordingVariety">How far each recording's room, microphone and recorder stray from one reference setup: 1 = the full range of <see cref="RecordingConditions.Sample"/>, 0 = every recording made the same way.</param>
/// <param name="SplitFractions">Train / validation / test fractions within each class (default: the CIPI split's 444/152/141).</param>
/// <param name="Parallelism">Recordings rendered at once.</param>
public sealed record PldSynthConfig(
    string Size,
    ulong Seed,
    IReadOnlyList<int> ExpertisePerLevel,
    IReadOnlyList<(double Min, double Max)> ExpertiseSeconds,
    IReadOnlyList<int> DifficultyPerGrade,
    (double Min, double Max) DifficultySeconds,
    int TechniqueClips,
    (double Min, double Max) TechniqueSeconds,
    IReadOnlyList<(string Labels, int Count)> TechniqueCombinations,
    SalamanderOptions Samples,
    bool TieRecordingToLevel = false,
    double RecordingVariety = 1.0,
    double[]? SplitFractions = null,
    int Parallelism = 0)
{
    public const ulong DefaultSeed = 20240;

    /// <summary>
    /// small's recording variety. With every recording in its own random room and microphone, a few hundred recordings
    /// cannot teach the probe to look past them: it memorises each recording's sound (train loss near 0 by epoch 3)
    /// and the spectrogram probe ranked expertise at 0.68; with one setup for all it reached 0.86. paper keeps the full range.
    /// </summary>
    public const double SmallRecordingVariety = 0.3;

    public double[] Fractions => SplitFractions ?? PldPaperCounts.DifficultySplit.Select(n => (double)n / PldPaperCounts.DifficultySplit.Sum()).ToArray();

    /// <summary>Throws naming the first field that cannot make a dataset.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Size) || Size.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || Size.Contains("..", StringComparison.Ordinal))
            throw new ArgumentException($"size '{Size}' must be a plain folder name", nameof(Size));
        if (ExpertisePerLevel.Count != ExpertiseLevels.Names.Count || ExpertiseSeconds.Count != ExpertiseLevels.Names.Count)
            throw new ArgumentException($"expertise counts and durations need {ExpertiseLevels.Names.Count} entries (beginner, advanced, virtuoso), got {ExpertisePerLevel.Count} and {ExpertiseSeconds.Count}");
        if (DifficultyPerGrade.Count != ScoreGenerator.Grades)
            throw new ArgumentException($"difficulty counts need {ScoreGenerator.Grades} entries (grades 1..9), got {DifficultyPerGrade.Count}", nameof(DifficultyPerGrade));
        if (ExpertisePerLevel.Concat(DifficultyPerGrade).Append(TechniqueClips).Any(n => n < 0))
            throw new ArgumentException("recording counts must not be negative");
        foreach (var (lo, hi) in ExpertiseSeconds.Append(DifficultySeconds).Append(TechniqueSeconds))
            if (!(lo >= 1 && hi >= lo && hi <= 3600)) throw new ArgumentException($"duration range ({lo}, {hi}) s must satisfy 1 <= min <= max <= 3600");
        if (Fractions is not { Length: 3 } f || f.Any(x => x < 0) || Math.Abs(f.Sum() - 1) > 1e-9)
            throw new ArgumentException($"split fractions must be three non-negative numbers summing to 1, got [{string.Join(", ", Fractions)}]", nameof(SplitFractions));
        foreach (var (labels, count) in TechniqueCombinations)
            if (labels.Length != Techniques.Names.Count || labels.Any(c => c is not ('0' or '1')) || !labels.Contains('1') || count < 0)
                throw new ArgumentException($"technique combination '{labels}' ({count}) must be {Techniques.Names.Count} characters of 0/1 with at least one 1, and a count >= 0", nameof(TechniqueCombinations));
        if (!(RecordingVariety is >= 0 and <= 1))
            throw new ArgumentException($"recording variety must be in [0, 1], got {RecordingVariety}", nameof(RecordingVariety));
        Samples.Validate();
    }

    /// <summary>tiny: the tests' few seconds of CPU; small: the main job's minutes; paper: the paper's counts.</summary>
    public static PldSynthConfig ForSize(string size, ulong seed = DefaultSeed) => size switch
    {
        // tiny: the tests' and notebooks' seconds of CPU, yet every grade and technique reaches train, validation and test.
        PldSynthSizes.Tiny => new(size, seed, [3, 3, 3], [(3, 4), (3, 4), (3, 4)], [3, 3, 3, 3, 3, 3, 3, 3, 3], (3, 4),
            40, (3, 4), PldPaperCounts.TechniqueCombinations, SamplesFor(size)),
        // small: the laptop's main job. Many short recordings rather than few long ones: the probe head memorises each
        // recording's room and microphone after a few epochs, so what generalises is the number of distinct recordings
        // (120 per level: 72/24/24 recordings, 432/144/144 ranking pairs), at two of the head's 10 s segments each.
        PldSynthSizes.Small => new(size, seed, [120, 120, 120], [(15, 20), (15, 20), (15, 20)], [24, 24, 24, 24, 24, 24, 24, 24, 24], (15, 20),
            300, (12, 16), PldPaperCounts.TechniqueCombinations, SamplesFor(size), RecordingVariety: SmallRecordingVariety),
        PldSynthSizes.Paper => new(size, seed, PldPaperCounts.ExpertisePerLevel, PldPaperCounts.ExpertiseSeconds,
            PldPaperCounts.DifficultyPerGrade, PldPaperCounts.DifficultySeconds, PldPaperCounts.TechniqueClips, PldPaperCounts.TechniqueSeconds,
            PldPaperCounts.TechniqueCombinations, SamplesFor(size)),
        _ => throw new ArgumentException($"unknown PLD-synth size '{size}'; expected one of {string.Join(", ", PldSynthSizes.All)}", nameof(size)),
    };

    /// <summary>Velocity layers per size: 2 short, cheaply prepared layers for the tests, 5 for small, 8 for paper.</summary>
    public static SalamanderOptions SamplesFor(string size) => size switch
    {
        PldSynthSizes.Tiny => new SalamanderOptions([6, 12], MaxNoteSeconds: 2.0, ResamplerZeroCrossings: 8),
        PldSynthSizes.Small => new SalamanderOptions([3, 6, 9, 12, 15]),
        PldSynthSizes.Paper => new SalamanderOptions([2, 4, 6, 8, 10, 12, 14, 16]),
        _ => throw new ArgumentException($"unknown PLD-synth size '{size}'; expected one of {string.Join(", ", PldSynthSizes.All)}", nameof(size)),
    };
}

/// <summary>One recording to generate: its manifest row plus what its audio is made from.</summary>
/// <param name="Row">The manifest row (source pld-synth).</param>
/// <param name="Skill">Performer skill 0..1.</param>
/// <param name="Grade">Henle-like grade of the piece (0 for technique clips).</param>
/// <param name="Techniques">Technique multi-hot (null for pieces).</param>
/// <param name="RecordingQuality">Quality the recording conditions are drawn around, or null for an independent draw.</param>
/// <param name="ScoreStream">Name of the random stream the score comes from (pieces shared by several recordings share it).</param>
public sealed record PldItem(ManifestRow Row, double Skill, int Grade, bool[]? Techniques, double? RecordingQuality, string ScoreStream)
{
    public double Seconds => Row.DurationSeconds ?? throw new InvalidOperationException($"item {Row.Id} has no duration");
}

/// <summary>What a generation run did.</summary>
/// <param name="Root">Dataset folder.</param>
/// <param name="Manifests">Manifest paths by task.</param>
/// <param name="Recordings">Recordings in the dataset.</param>
/// <param name="Rendered">Recordings rendered by this run (the rest existed).</param>
/// <param name="AudioSeconds">Total audio duration of the dataset.</param>
/// <param name="RenderedAudioSeconds">Audio rendered by this run.</param>
/// <param name="Bytes">Size of the dataset's files on disk.</param>
/// <param name="Elapsed">Wall-clock time of this run.</param>
/// <param name="SamplePreparation">Part of <paramref name="Elapsed"/> spent fetching, decoding and pitch-shifting samples.</param>
public sealed record PldSynthResult(
    string Root, IReadOnlyDictionary<string, string> Manifests, int Recordings, int Rendered, double AudioSeconds,
    double RenderedAudioSeconds, long Bytes, TimeSpan Elapsed, TimeSpan SamplePreparation)
{
    /// <summary>Seconds of audio rendered per second of wall-clock time (all cores), sample preparation excluded.</summary>
    public double RealtimeFactor => RenderedAudioSeconds / Math.Max(1e-9, (Elapsed - SamplePreparation).TotalSeconds);
}

/// <summary>
/// PLD-synth: a synthetic Pianism-Labeling Dataset in the project's manifest schema. Real piano samples
/// (Salamander Grand Piano), procedural scores, a skill-driven performance model and varied recording chains.
/// Writes <c>audio/&lt;id&gt;.wav</c> (mono, 16-bit, 44.1 kHz) and <c>manifests/{expertise,difficulty,techniques}.csv</c>;
/// a re-run renders only missing recordings and writes the manifests last.
/// </summary>
public static class PldSynth
{
    public const string Source = "pld-synth";
    public const int OutputSampleRate = 44100;
    public static readonly IReadOnlyList<string> Splits = ["train", "validation", "test"];

    /// <summary>Manifest file per task, under manifests/.</summary>
    public static readonly IReadOnlyDictionary<string, string> ManifestFiles = new Dictionary<string, string>
    {
        [ManifestTask.Expertise] = "expertise.csv",
        [ManifestTask.Difficulty] = "difficulty.csv",
        [ManifestTask.Technique] = "techniques.csv",
    };

    /// <summary>
    /// Grades a player of each expertise level plays: learners play easy pieces (exam grades), advanced players the
    /// intermediate repertoire, virtuosos concert repertoire, as the real data's sources (lessons, conservatoire
    /// recitals, concert recordings) do. The ranges do not overlap: with overlap, an advanced player's hard piece and a
    /// virtuoso's easy one differed in nothing but small timing and touch details the small dataset cannot teach.
    /// </summary>
    public static readonly IReadOnlyList<(int Low, int High)> LevelGrades = [(1, 3), (4, 6), (7, 9)];

    /// <summary>The recordings of a config, with labels, durations and splits; no audio is made.</summary>
    public static IReadOnlyList<PldItem> Plan(PldSynthConfig config)
    {
        config.Validate();
        var items = new List<PldItem>();
        ulong seed = config.Seed;
        Extra Facts(double skill, int grade, double? quality) => new()
        {
            ["skill"] = skill.ToString("0.####", CultureInfo.InvariantCulture),
            ["grade"] = grade.ToString(CultureInfo.InvariantCulture),
            ["recording_quality"] = quality?.ToString("0.###", CultureInfo.InvariantCulture) ?? "independent",
        };

        var expertise = new List<PldItem>();
        for (int level = 0; level < config.ExpertisePerLevel.Count; level++)
            for (int i = 0; i < config.ExpertisePerLevel[level]; i++)
            {
                string id = $"pld-exp-{ExpertiseLevels.Names[level]}-{i:D4}";
                var rng = SynthRng.For(seed, id);
                double skill = PerformanceModel.SkillFor(level, rng);
                int grade = rng.Between(LevelGrades[level].Low, LevelGrades[level].High);
                double seconds = Seconds(rng, config.ExpertiseSeconds[level]);
                double? quality = config.TieRecordingToLevel ? Math.Clamp(level / 2.0 + rng.Gaussian(0, 0.15), 0, 1) : null;
                var extra = Facts(skill, grade, quality);
                extra["level"] = ExpertiseLevels.Names[level];
                extra["paper_keep"] = "1"; // every synthetic recording passes the released code's duration filter
                var row = new ManifestRow(id, id, ManifestTask.Expertise, level, null, id, null, seconds, Source,
                    $"{ExpertiseLevels.Names[level]} playing a grade-{grade} piece", extra);
                expertise.Add(new PldItem(row, skill, grade, null, quality, id));
            }
        items.AddRange(AssignSplits(expertise, x => x.Row.Label!.Value.ToString(CultureInfo.InvariantCulture), config, "expertise"));

        var difficulty = new List<PldItem>();
        for (int grade = 1; grade <= config.DifficultyPerGrade.Count; grade++)
            for (int i = 0; i < config.DifficultyPerGrade[grade - 1]; i++)
            {
                string piece = $"pld-piece-g{grade}-{i:D4}";
                string id = $"pld-diff-g{grade}-{i:D4}";
                var rng = SynthRng.For(seed, id);
                // Difficulty recordings are by capable players, as on YouTube for graded repertoire.
                double skill = rng.Uniform(0.55, 1.0);
                double seconds = Seconds(rng, config.DifficultySeconds);
                double? quality = config.TieRecordingToLevel ? Math.Clamp(skill + rng.Gaussian(0, 0.15), 0, 1) : null;
                var extra = Facts(skill, grade, quality);
                extra["henle3"] = ((grade - 1) / 3).ToString(CultureInfo.InvariantCulture);
                var row = new ManifestRow(id, id, ManifestTask.Difficulty, grade, null, piece, null, seconds, Source,
                    $"synthetic piece {piece} (Henle-like grade {grade})", extra);
                difficulty.Add(new PldItem(row, skill, grade, null, quality, piece));
            }
        items.AddRange(AssignSplits(difficulty, x => x.Row.Label!.Value.ToString(CultureInfo.InvariantCulture), config, "difficulty"));

        var technique = new List<PldItem>();
        var combos = Allocate(config.TechniqueCombinations, config.TechniqueClips);
        for (int i = 0; i < combos.Count; i++)
        {
            string id = $"pld-tech-{i:D4}";
            var rng = SynthRng.For(seed, id);
            string labels = combos[i];
            bool[] flags = labels.Select(c => c == '1').ToArray();
            double skill = rng.Uniform(0.45, 1.0);
            double seconds = Seconds(rng, config.TechniqueSeconds);
            double? quality = config.TieRecordingToLevel ? Math.Clamp(skill + rng.Gaussian(0, 0.15), 0, 1) : null;
            string names = string.Join("+", Techniques.Names.Where((_, k) => flags[k]));
            var extra = Facts(skill, 0, quality);
            extra["technique"] = names.Split('+')[0]; // as the real data's search term: one of the labels
            var row = new ManifestRow(id, id, ManifestTask.Technique, null, labels, id, null, seconds, Source,
                $"technique clip: {names}", extra);
            technique.Add(new PldItem(row, skill, 0, flags, quality, id));
        }
        items.AddRange(AssignSplits(technique, x => x.Row.Labels!, config, "technique"));
        return items;
    }

    private sealed class Extra : Dictionary<string, string>;

    private static double Seconds(SynthRng rng, (double Min, double Max) range) =>
        Math.Round(rng.Uniform(range.Min, range.Max), 2);

    /// <summary>Largest-remainder allocation of <paramref name="total"/> clips to label sets in proportion to their counts, in a fixed interleaved order.</summary>
    public static List<string> Allocate(IReadOnlyList<(string Labels, int Count)> combinations, int total)
    {
        int sum = combinations.Sum(c => c.Count);
        if (sum <= 0) throw new ArgumentException("technique combinations need positive counts", nameof(combinations));
        var quotas = combinations.Select(c => (c.Labels, Exact: (double)total * c.Count / sum)).ToList();
        var counts = quotas.Select(q => (int)Math.Floor(q.Exact)).ToArray();
        foreach (int k in Enumerable.Range(0, quotas.Count).OrderByDescending(k => quotas[k].Exact - counts[k]).ThenBy(k => k).Take(total - counts.Sum()))
            counts[k]++;
        var result = new List<string>();
        for (int round = 0; result.Count < total; round++)
            for (int k = 0; k < counts.Length; k++)
                if (round < counts[k]) result.Add(quotas[k].Labels);
        return result;
    }

    /// <summary>Splits each class (by <paramref name="classOf"/>) train/validation/test by group, so no group crosses splits.</summary>
    private static IEnumerable<PldItem> AssignSplits(List<PldItem> items, Func<PldItem, string> classOf, PldSynthConfig config, string task)
    {
        var splitOf = new Dictionary<string, string>();
        foreach (var cls in items.GroupBy(classOf).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var groups = cls.Select(x => x.Row.Group!).Distinct().ToList();
            SynthRng.For(config.Seed, $"split/{task}/{cls.Key}").Shuffle(groups);
            int n = groups.Count;
            var f = config.Fractions;
            int test = n >= 2 ? Math.Max(1, (int)Math.Round(f[2] * n)) : 0;
            int validation = n >= 3 ? Math.Max(1, (int)Math.Round(f[1] * n)) : 0;
            for (int i = 0; i < n; i++)
                splitOf[groups[i]] = i < test ? "test" : i < test + validation ? "validation" : "train";
        }
        return items.Select(x => x with { Row = x.Row with { Split = splitOf[x.Row.Group!] } });
    }

    /// <summary>Generates (or completes) the dataset of <paramref name="config"/> under <see cref="DataPaths.PldSynth"/>.</summary>
    /// <param name="samples">Prepared samples to reuse (their options replace <see cref="PldSynthConfig.Samples"/>); null loads them from <paramref name="paths"/>.</param>
    public static PldSynthResult Generate(DataPaths paths, PldSynthConfig config,
        IProgress<(int done, int total, string item)>? progress = null, Action<string>? log = null, CancellationToken cancellationToken = default,
        SalamanderSamples? samples = null)
    {
        var items = Plan(config);
        string root = paths.PldSynth(config.Size);
        var result = RenderAll(paths, root, items, samples, config.Samples, config.Seed, config.RecordingVariety, config.Parallelism, progress, log, cancellationToken);
        string provenance = $"PLD-synth size={config.Size} seed={config.Seed} tie_recording_to_level={config.TieRecordingToLevel} " +
                            $"recording_variety={config.RecordingVariety.ToString(CultureInfo.InvariantCulture)}: " +
                            $"synthetic recordings by PianoJudges.Synthesis.PldSynth; piano samples: {SalamanderSamples.Attribution}";
        var manifests = new Dictionary<string, string>();
        foreach (var (task, file) in ManifestFiles)
        {
            string path = Path.Combine(root, "manifests", file);
            ManifestIO.Write(path, new Manifest(provenance, items.Where(x => x.Row.Task == task).Select(x => x.Row).ToList()));
            manifests[task] = path;
        }
        return result with { Manifests = manifests, Bytes = DirectorySize(root) };
    }

    /// <summary>
    /// The candidates of a synthetic competition with their jury outcome: for each round, every remaining candidate's
    /// mark is their skill plus their form that day plus the jurors' mean disagreement; the best advance.
    /// </summary>
    public static IReadOnlyList<PldItem> PlanCompetition(CompetitionConfig config)
    {
        if (config.Candidates < 2) throw new ArgumentOutOfRangeException(nameof(config), $"a competition needs at least 2 candidates, got {config.Candidates}");
        var rng = SynthRng.For(config.Seed, "competition/field");
        var skill = new double[config.Candidates];
        var prelimForm = new double[config.Candidates];
        for (int c = 0; c < skill.Length; c++)
        {
            skill[c] = Math.Clamp(rng.Gaussian(config.SkillMean, config.SkillSd), 0.7, 1.0);
            prelimForm[c] = rng.Gaussian(0, config.FormSd);
        }
        var rounds = new int[config.Candidates];
        var remaining = Enumerable.Range(0, config.Candidates).ToList();
        var sizes = config.StageSizes.Append(Math.Min(CompetitionConfig.Prizes, config.StageSizes[^1])).ToList(); // the final decides the prizes
        var prize = new int[config.Candidates];
        for (int r = 0; r < sizes.Count; r++)
        {
            var jury = SynthRng.For(config.Seed, "competition/jury", r);
            var marks = remaining.ToDictionary(c => c, c =>
            {
                double played = skill[c] + (r == 0 ? prelimForm[c] : jury.Gaussian(0, config.FormSd));
                double sum = 0;
                for (int j = 0; j < config.Jurors; j++) sum += played + jury.Gaussian(0, config.JurorSd);
                return sum / config.Jurors;
            });
            remaining = remaining.OrderByDescending(c => marks[c]).ThenBy(c => c).Take(Math.Min(sizes[r], remaining.Count)).ToList();
            if (r == sizes.Count - 1)
                for (int k = 0; k < remaining.Count; k++) prize[remaining[k]] = k + 1;
            else
                foreach (int c in remaining) rounds[c] = r + 1;
        }
        var items = new List<PldItem>();
        for (int c = 0; c < config.Candidates; c++)
        {
            string id = $"pld-cand-{c + 1:D3}";
            var crng = SynthRng.For(config.Seed, id);
            int piece = crng.Next(config.RequiredPieces);
            double seconds = Seconds(crng, config.RecitalSeconds);
            double played = Math.Clamp(skill[c] + prelimForm[c], 0, 1);
            var extra = new Dictionary<string, string>
            {
                ["skill"] = skill[c].ToString("0.####", CultureInfo.InvariantCulture),
                ["form"] = prelimForm[c].ToString("0.####", CultureInfo.InvariantCulture),
                ["stage"] = "00_preliminary",
                ["piece"] = $"required-{piece + 1}",
                // As in the real manifest: admitted to stage I, stages played (0-3), registered.
                ["admitted"] = rounds[c] > 0 ? "1" : "0",
                ["stages"] = string.Join("|", Enumerable.Range(0, Math.Min(rounds[c], 3) + 1)),
                ["registered"] = "1",
            };
            if (prize[c] > 0) extra["prize"] = prize[c].ToString(CultureInfo.InvariantCulture);
            var row = new ManifestRow(id, id, ManifestTask.Icpc2015, rounds[c], null, id, null, seconds, Source,
                $"Candidate {c + 1:D3} - required piece {piece + 1} (preliminary)", extra);
            items.Add(new PldItem(row, played, 9 - piece % 2, null, null, $"competition/required-{piece + 1}"));
        }
        return items;
    }

    /// <summary>Generates (or completes) a synthetic competition: audio/ and manifests/icpc2015.csv under <see cref="DataPaths.PldSynth"/>(<see cref="CompetitionConfig.Name"/>).</summary>
    public static PldSynthResult GenerateCompetition(DataPaths paths, CompetitionConfig config,
        IProgress<(int done, int total, string item)>? progress = null, Action<string>? log = null, CancellationToken cancellationToken = default,
        SalamanderSamples? samples = null)
    {
        var items = PlanCompetition(config);
        string root = paths.PldSynth(config.Name);
        var result = RenderAll(paths, root, items, samples, config.Samples, config.Seed, 1.0, config.Parallelism, progress, log, cancellationToken);
        string provenance = $"PLD-synth competition {config.Name} seed={config.Seed}: {config.Candidates} synthetic candidates, " +
                            $"rounds of {string.Join("/", config.StageSizes)} decided by a simulated jury of {config.Jurors}; label = rounds passed; " +
                            $"piano samples: {SalamanderSamples.Attribution}";
        string path = Path.Combine(root, "manifests", "icpc2015.csv");
        ManifestIO.Write(path, new Manifest(provenance, items.Select(x => x.Row).ToList()));
        return result with { Manifests = new Dictionary<string, string> { [ManifestTask.Icpc2015] = path }, Bytes = DirectorySize(root) };
    }

    /// <summary>Whether some recording of <paramref name="config"/> is still missing.</summary>
    public static bool NeedsRendering(DataPaths paths, PldSynthConfig config) =>
        Plan(config).Any(x => !File.Exists(WavPath(Path.Combine(paths.PldSynth(config.Size), "audio"), x)));

    /// <summary>Whether some recital of <paramref name="config"/> is still missing.</summary>
    public static bool NeedsRendering(DataPaths paths, CompetitionConfig config) =>
        PlanCompetition(config).Any(x => !File.Exists(WavPath(Path.Combine(paths.PldSynth(config.Name), "audio"), x)));

    /// <summary>The score an item is played from: long enough that the performance fills the recording.</summary>
    public static (Score Score, Performance Performance) Realise(PldItem item, ulong seed)
    {
        int bars = 4;
        for (int attempt = 0; ; attempt++)
        {
            // Same streams on every attempt: a longer score starts like the shorter one.
            var scoreRng = SynthRng.For(seed, "score/" + item.ScoreStream);
            var score = item.Techniques is { } t ? ScoreGenerator.TechniqueClip(t, bars, scoreRng) : ScoreGenerator.Piece(item.Grade, bars, scoreRng);
            var performance = PerformanceModel.Perform(score, item.Skill, SynthRng.For(seed, "perform/" + item.Row.Id));
            if (performance.EndSeconds >= item.Seconds + 0.5 || attempt >= 8) return (score, performance);
            bars = (int)Math.Ceiling(bars * (item.Seconds + 1) / Math.Max(1, performance.EndSeconds) * 1.15) + 1;
        }
    }

    /// <summary>Quality of the reference setup that <see cref="PldSynthConfig.RecordingVariety"/> draws recordings towards: a good home recording.</summary>
    public const double ReferenceQuality = 0.7;

    /// <summary>The audio of one item (mono, <see cref="OutputSampleRate"/>), exactly its planned duration.</summary>
    public static float[] RenderItem(PldItem item, SalamanderSamples samples, ulong seed, double variety = 1.0)
    {
        var (_, performance) = Realise(item, seed);
        var rng = SynthRng.For(seed, "record/" + item.Row.Id);
        var conditions = RecordingConditions.Sample(rng, item.RecordingQuality);
        if (variety < 1)
            conditions = conditions.Towards(RecordingConditions.Sample(SynthRng.For(seed, "record/reference"), ReferenceQuality), variety);
        return PianoRenderer.Render(performance, samples, conditions, item.Seconds, rng);
    }

    private static PldSynthResult RenderAll(DataPaths paths, string root, IReadOnlyList<PldItem> items, SalamanderSamples? shared, SalamanderOptions options, ulong seed,
        double variety, int parallelism, IProgress<(int done, int total, string item)>? progress, Action<string>? log, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        string audioDir = Path.Combine(root, "audio");
        Directory.CreateDirectory(audioDir);
        AtomicFile.RemoveStaleTemporaryFiles(audioDir); // a killed run's partial writes
        var todo = items.Where(x => !File.Exists(WavPath(audioDir, x))).ToList();
        int done = items.Count - todo.Count;
        progress?.Report((done, items.Count, done > 0 ? $"{done} recordings already there" : "starting"));
        TimeSpan preparation = TimeSpan.Zero;
        if (todo.Count > 0)
        {
            var samples = shared ?? new SalamanderSamples(paths, options with { SampleRate = OutputSampleRate }, log);
            if (samples.SampleRate != OutputSampleRate)
                throw new ArgumentException($"PLD-synth writes {OutputSampleRate} Hz audio; the samples were prepared at {samples.SampleRate} Hz", nameof(shared));
            preparation = Prepare(samples, todo, seed, parallelism, progress, items.Count, done, ct);
            var opts = new ParallelOptions { MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount, CancellationToken = ct };
            Parallel.ForEach(todo, opts, item =>
            {
                var audio = RenderItem(item, samples, seed, variety);
                WavWriter.WriteMono(WavPath(audioDir, item), audio, OutputSampleRate);
                int d = Interlocked.Increment(ref done);
                progress?.Report((d, items.Count, item.Row.Id));
            });
        }
        return new PldSynthResult(root, new Dictionary<string, string>(), items.Count, todo.Count,
            items.Sum(x => x.Seconds), todo.Sum(x => x.Seconds), 0, clock.Elapsed, preparation);
    }

    /// <summary>Pitch-shifts every (key, layer) the pending recordings need, in parallel, before rendering starts.</summary>
    private static TimeSpan Prepare(SalamanderSamples samples, IReadOnlyList<PldItem> todo, ulong seed, int parallelism,
        IProgress<(int done, int total, string item)>? progress, int total, int done, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var needed = new HashSet<(int, int)>();
        foreach (var item in todo)
            foreach (var n in Realise(item, seed).Performance.Notes)
                needed.Add((n.Pitch, samples.LayerFor(n.Velocity).LayerIndex));
        // Reported as its own phase (done/total count notes here, recordings afterwards): it can take minutes.
        int prepared = 0;
        progress?.Report((0, needed.Count, "preparing piano notes"));
        var opts = new ParallelOptions { MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount, CancellationToken = ct };
        Parallel.ForEach(needed.OrderBy(k => k), opts, k =>
        {
            samples.Note(k.Item1, k.Item2);
            progress?.Report((Interlocked.Increment(ref prepared), needed.Count, "preparing piano notes"));
        });
        progress?.Report((done, total, "rendering"));
        return clock.Elapsed;
    }

    private static string WavPath(string audioDir, PldItem item) => Path.Combine(audioDir, item.Row.AudioId + ".wav");

    internal static long DirectorySize(string dir) =>
        Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
}
