namespace PianoJudges.Data;

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsvHelper;
using CsvHelper.Configuration;

/// <summary>What the ICPC-2015 conversion found: round sizes and every spelling that needed more than an exact match.</summary>
/// <param name="RoundSizes">Candidates per label (rounds passed 0-4), over every known candidate.</param>
/// <param name="RowRoundSizes">Manifest rows (candidates with a preliminary video) per label.</param>
/// <param name="Unmatched">Spellings that fit no registered candidate ("source: spelling").</param>
/// <param name="Resolved">Spellings matched by a rule other than exact ("source: spelling -> name (rule)").</param>
/// <param name="Inconsistencies">Facts that disagree between sources.</param>
public sealed record IcpcConversionReport(
    IReadOnlyDictionary<int, int> RoundSizes,
    IReadOnlyDictionary<int, int> RowRoundSizes,
    IReadOnlyList<string> Unmatched,
    IReadOnlyList<string> Resolved,
    IReadOnlyList<string> Inconsistencies,
    IReadOnlyList<string> WithoutPreliminaryVideo);

/// <summary>The converted manifests, CIPI's folds, and what the conversion noticed.</summary>
public sealed record ConversionResult(
    IReadOnlyDictionary<string, Manifest> Manifests,
    DifficultyFolds Folds,
    IcpcConversionReport Icpc,
    IReadOnlyList<string> Notes);

/// <summary>
/// Converts the published metadata (reference-data/pianojudges and reference-data/icpc2015, see its
/// README) into the project's manifests. Deterministic: the same input gives byte-identical output,
/// so re-running it shows no diff. Run by `pianojudges manifests convert`; never at training time.
/// </summary>
public static class ReferenceConversion
{
    public const string ExpertiseFile = "expertise.csv";
    public const string DifficultyFile = "difficulty.csv";
    public const string TechniquesFile = "techniques.csv";
    public const string Icpc2015File = "icpc2015.csv";
    public const string DifficultyFoldsFile = "difficulty_folds.json";

    /// <summary>The released code's duration filters (data_collection/dataset.py): `duration &lt; 400` for YouTube levels, `audio_duration &lt; 300` for ATEPP.</summary>
    public const int PaperMaxSecondsYouTube = 400, PaperMaxSecondsAtepp = 300;

    /// <summary>The 2015 finalists in the order of the final ranking; the first six won prizes 1-6 (reference-data README).</summary>
    public static readonly IReadOnlyList<string> Icpc2015Finalists =
    [
        "Seong-Jin Cho", "Charles Richard-Hamelin", "Kate Liu", "Eric Lu", "Yike (Tony) Yang",
        "Dmitry Shishkin", "Aljoša Jurinić", "Aimi Kobayashi", "Szymon Nehring", "Georgijs Osokins",
    ];
    public const int Icpc2015Prizes = 6;

    private const string Origin = "anusfoil/PianoJudges data files (before commit 'ranking update')";
    private static readonly Regex YouTubeId = new(@"^[A-Za-z0-9_-]{11}$", RegexOptions.CultureInvariant);
    private static readonly Regex YouTubeLinkId = new(@"(?:[?&]v=|/shorts/|youtu\.be/)([A-Za-z0-9_-]{11})", RegexOptions.CultureInvariant);

    public static ConversionResult Convert(string referenceDir)
    {
        string pj = Path.Combine(referenceDir, "pianojudges");
        string icpc = Path.Combine(referenceDir, "icpc2015");
        foreach (var d in new[] { pj, icpc })
            if (!Directory.Exists(d)) throw new DirectoryNotFoundException($"reference data folder '{d}' not found (expected reference-data/pianojudges and reference-data/icpc2015)");
        var notes = new List<string>();
        var expertise = Expertise(pj, notes);
        var difficulty = Difficulty(pj, notes);
        var folds = Folds(pj, difficulty, notes);
        var techniques = Techniques(pj, notes);
        var (icpcManifest, report) = Icpc2015(icpc, pj);
        var manifests = new Dictionary<string, Manifest>
        {
            [ExpertiseFile] = expertise, [DifficultyFile] = difficulty, [TechniquesFile] = techniques, [Icpc2015File] = icpcManifest,
        };
        return new ConversionResult(manifests, folds, report, notes);
    }

    /// <summary>Converts and writes every manifest and the folds file into <paramref name="outDir"/> (atomic writes); each is read back and validated.</summary>
    public static ConversionResult ConvertAndWrite(string referenceDir, string outDir)
    {
        var result = Convert(referenceDir);
        foreach (var (file, manifest) in result.Manifests)
        {
            string path = Path.Combine(outDir, file);
            ManifestIO.Write(path, manifest);
            ManifestIO.Read(path);
        }
        result.Folds.Write(Path.Combine(outDir, DifficultyFoldsFile));
        return result;
    }

    // ---------------------------------------------------------------- expertise

    public static Manifest Expertise(string pianojudgesDir, List<string>? notes = null)
    {
        var rows = new List<ManifestRow>();
        foreach (var (file, level) in new[] { ("novice_metadata.csv", 0), ("advanced_metadata.csv", 1) })
            foreach (var (r, _) in ReadCsv(Path.Combine(pianojudgesDir, file)))
            {
                double duration = Number(r, "duration");
                var extra = Extra(("level", ExpertiseLevels.Names[level]),
                    ("paper_keep", (int)duration < PaperMaxSecondsYouTube ? "1" : "0"),
                    ("link", r["webpage_url"]), ("upload_date", r["upload_date"]));
                rows.Add(new ManifestRow(r["id"], r["id"], ManifestTask.Expertise, level, null, r["id"], null,
                    duration, "youtube", Clean(r["title"]), extra));
            }
        foreach (var (r, line) in ReadCsv(Path.Combine(pianojudgesDir, "virtuoso_metadata.csv")))
        {
            string id = LinkId(r["youtube_links"]) ?? throw new ManifestException(Path.Combine(pianojudgesDir, "virtuoso_metadata.csv"), line, $"no YouTube id in youtube_links '{r["youtube_links"]}'");
            double duration = Number(r, "audio_duration");
            var extra = Extra(("level", ExpertiseLevels.Names[2]),
                ("paper_keep", (int)duration < PaperMaxSecondsAtepp ? "1" : "0"),
                ("link", r["youtube_links"]), ("atepp_path", r["audio_path"]), ("artist", r["artist"]),
                ("composer", r["composer"]), ("composition_id", r["composition_id"]));
            rows.Add(new ManifestRow(id, id, ManifestTask.Expertise, 2, null, id, null, duration, "atepp",
                Clean($"{r["artist"]}: {r["track"]}"), extra));
        }
        RequireUniqueIds(rows, "expertise");
        var kept = Enumerable.Range(0, 3).Select(l => rows.Count(r => r.Label == l && r.Extra!["paper_keep"] == "1")).ToList();
        notes?.Add($"expertise: {string.Join(", ", Enumerable.Range(0, 3).Select(l => $"{ExpertiseLevels.Names[l]} {rows.Count(r => r.Label == l)} rows ({kept[l]} pass the released code's duration filter)"))}");
        return new Manifest(
            $"{Origin}: novice_metadata.csv (label 0), advanced_metadata.csv (label 1), virtuoso_metadata.csv (label 2, ATEPP; id = its YouTube id). " +
            $"All rows kept; extra paper_keep=1 marks the released code's filter (duration < {PaperMaxSecondsYouTube} s for beginner/advanced, audio_duration < {PaperMaxSecondsAtepp} s for virtuoso). " +
            "group = recording. Converted by `pianojudges manifests convert`.", rows);
    }

    // ---------------------------------------------------------------- difficulty

    public static Manifest Difficulty(string pianojudgesDir, List<string>? notes = null)
    {
        string file = Path.Combine(pianojudgesDir, "difficulty_metadata.csv");
        var rows = new List<ManifestRow>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (r, line) in ReadCsv(file))
        {
            // audio_path is what the released code loads; audio_id holds a wrong link in a few rows.
            string stem = Path.GetFileNameWithoutExtension(r["audio_path"]);
            if (stem.Length == 0 || stem.IndexOfAny(['/', '\\']) >= 0)
                throw new ManifestException(file, line, $"audio_path '{r["audio_path"]}' is not a file name");
            int henle = (int)Number(r, "henle", file, line);
            string cipi = r["original_id"];
            string split = r["split"] switch
            {
                "train" => "train", "val" => "validation", "test" => "test",
                var s => throw new ManifestException(file, line, $"split '{s}' is not train, val or test"),
            };
            string id = $"{cipi}_{stem}";
            int n = ids[id] = ids.GetValueOrDefault(id) + 1;
            if (n > 1)
            {
                notes?.Add($"difficulty: {Path.GetFileName(file)} line {line} repeats piece {cipi} with recording {stem}; kept as {id}_dup{n}");
                id = $"{id}_dup{n}";
            }
            string title = string.Join(", ", new[] { r["Composer"], r["Work Title"], r["Movement"] }.Where(s => s.Length > 0));
            var extra = Extra(("cipi_id", cipi), ("henle3", ((henle - 1) / 3).ToString(CultureInfo.InvariantCulture)),
                ("link", YouTubeId.IsMatch(stem) ? $"https://www.youtube.com/watch?v={stem}" : ""),
                ("published_audio_id", r["audio_id"] != stem ? r["audio_id"] : ""));
            rows.Add(new ManifestRow(id, stem, ManifestTask.Difficulty, henle, null, cipi, split, null, "youtube", Clean(title), extra));
        }
        var shared = rows.GroupBy(r => r.AudioId).Where(g => g.Select(r => r.Group).Distinct().Count() > 1).ToList();
        foreach (var g in shared)
            notes?.Add($"difficulty: recording {g.Key} serves pieces {string.Join(", ", g.Select(r => $"{r.Group} ({r.Split})").Distinct())}");
        return new Manifest(
            $"{Origin}: difficulty_metadata.csv (CIPI; label = Henle grade 1-9, 3-class = floor((henle-1)/3) in extra henle3; " +
            "split = the paper's published split, val renamed validation; group = CIPI piece id; audio_id = stem of audio_path, the file the released code loads). " +
            "Converted by `pianojudges manifests convert`.", rows);
    }

    public static DifficultyFolds Folds(string pianojudgesDir, Manifest difficulty, List<string>? notes = null)
    {
        string file = Path.Combine(pianojudgesDir, "splits.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var folds = new List<DifficultyFold>();
        var henle = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var fold in doc.RootElement.EnumerateObject().OrderBy(p => int.Parse(p.Name, CultureInfo.InvariantCulture)))
        {
            List<string> Part(string name)
            {
                if (!fold.Value.TryGetProperty(name, out var part))
                    throw new ManifestException(file, 1, $"fold {fold.Name} has no '{name}'");
                var ids = new List<string>();
                foreach (var p in part.EnumerateObject())
                {
                    int grade = p.Value.GetInt32() + 1;
                    if (henle.TryGetValue(p.Name, out int g) && g != grade)
                        throw new ManifestException(file, 1, $"piece {p.Name} has grade {g} in one fold and {grade} in another");
                    henle[p.Name] = grade;
                    ids.Add(p.Name);
                }
                return ids;
            }
            folds.Add(new DifficultyFold(int.Parse(fold.Name, CultureInfo.InvariantCulture), Part("train"), Part("val"), Part("test")));
        }
        var inManifest = difficulty.Rows.Select(r => r.Group!).ToHashSet(StringComparer.Ordinal);
        var absent = henle.Keys.Where(k => !inManifest.Contains(k)).ToList();
        var disagree = difficulty.Rows.Where(r => henle.TryGetValue(r.Group!, out int g) && g != r.Label).Select(r => r.Group).Distinct().ToList();
        notes?.Add($"difficulty folds: {folds.Count} folds over {henle.Count} CIPI pieces; {absent.Count} of them have no row in difficulty.csv ({string.Join(", ", absent)})" +
                   (disagree.Count > 0 ? $"; grade differs from the manifest for {string.Join(", ", disagree)}" : "; every grade agrees with the manifest"));
        return new DifficultyFolds(
            "CIPI's own 5-fold cross-validation splits from anusfoil/PianoJudges splits.json (val renamed validation; henle = CIPI grade + 1). " +
            "Piece ids match the group column of difficulty.csv. Converted by `pianojudges manifests convert`.",
            folds, henle);
    }

    // ---------------------------------------------------------------- techniques

    public static Manifest Techniques(string pianojudgesDir, List<string>? notes = null)
    {
        string file = Path.Combine(pianojudgesDir, "technique_metadata.csv");
        var rows = new List<ManifestRow>();
        foreach (var (r, line) in ReadCsv(file))
        {
            var bits = PianoJudges.Data.Techniques.Names.Select(n =>
            {
                return (int)Number(r, n, file, line) switch
                {
                    0 => '0', 1 => '1', var x => throw new ManifestException(file, line, $"{n} is {x}, expected 0 or 1"),
                };
            });
            string labels = new(bits.ToArray());
            string? videoId = LinkId(r["webpage_url"]);
            // Clips without a link were cut locally by the authors: not downloadable.
            string source = videoId is null ? "local" : "youtube";
            double? duration = r["duration"].Length == 0 ? null : Number(r, "duration", file, line);
            var extra = Extra(("technique", r["technique"]), ("link", r["webpage_url"]));
            rows.Add(new ManifestRow(r["id"], r["id"], ManifestTask.Technique, null, labels, videoId ?? r["id"], null, duration, source,
                Clean(r["title"]), extra));
        }
        RequireUniqueIds(rows, "techniques");
        notes?.Add($"techniques: {rows.Count} clips, {rows.Count(r => r.Source == "local")} without a link (cut locally by the authors); " +
                   string.Join(", ", PianoJudges.Data.Techniques.Names.Select((n, i) => $"{n} {rows.Count(r => r.Labels![i] == '1')}")));
        return new Manifest(
            $"{Origin}: technique_metadata.csv; labels = multi-hot over {string.Join(",", PianoJudges.Data.Techniques.Names)}; " +
            "group = YouTube video id (clips of one video share it); extra technique = the search term. Converted by `pianojudges manifests convert`.", rows);
    }

    // ---------------------------------------------------------------- ICPC 2015

    private sealed class Candidate(string key)
    {
        public string Key { get; } = key;
        public bool? Admitted;
        public bool InStage3List;
        public int FinalistIndex = -1;
        public bool Registered;
        public readonly SortedSet<int> Stages = [];
        public readonly List<(string VideoId, double? Duration)> PreliminaryVideos = [];
        public string? PaperName;
        public int Label => FinalistIndex >= 0 ? 4 : InStage3List || Stages.Contains(3) ? 3 : Stages.Contains(2) ? 2 : Stages.Contains(1) || Admitted == true ? 1 : 0;
    }

    public static (Manifest Manifest, IcpcConversionReport Report) Icpc2015(string icpcDir, string pianojudgesDir)
    {
        var names = new CandidateNames();
        var cands = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        var unmatched = new List<string>();
        var resolved = new List<string>();
        var inconsistent = new List<string>();
        Candidate Get(string key) => cands.TryGetValue(key, out var c) ? c : cands[key] = new Candidate(key);

        Candidate Resolve(string source, string spelling)
        {
            var m = names.Match(spelling);
            if (m.Kind == NameMatchKind.None)
            {
                unmatched.Add($"{source}: {spelling}");
                return Get(names.Register(spelling));
            }
            if (m.Kind != NameMatchKind.Exact)
                resolved.Add($"{source}: '{spelling}' -> '{names.Display(m.Key!)}' ({m.Kind.ToString().ToLowerInvariant()})");
            return Get(m.Key!);
        }

        // results.tsv is the registry: every applicant with the jury's preliminary decision.
        string results = Path.Combine(icpcDir, "results.tsv");
        int lineNo = 0;
        foreach (string raw in File.ReadLines(results))
        {
            lineNo++;
            if (lineNo == 1 || raw.Trim().Length == 0) continue;
            var f = raw.Split('\t').Select(s => s.Trim()).ToList();
            // A tab is missing in one row ("Haoguo Chen CHN<TAB>0…"): the country sits at the end of the name.
            if (f.Count == 6 && Regex.Match(f[0], @"^(.*\S)\s+([A-Z]{3})$") is { Success: true } mm)
                f = [mm.Groups[1].Value, mm.Groups[2].Value, .. f.Skip(1)];
            if (f.Count < 3) throw new ManifestException(results, lineNo, $"expected name, country and preliminary result, got '{raw}'");
            string name = StripCountryCodes(f[0]);
            string key = names.Register(name);
            var c = Get(key);
            c.Registered = true;
            c.Admitted = f[2] switch
            {
                "1" => true, "0" => false,
                var v => throw new ManifestException(results, lineNo, $"preliminary result '{v}' is not 0 or 1"),
            };
            if (name != f[0]) resolved.Add($"results.tsv: '{f[0]}' read as '{name}' (country code in the name field)");
        }

        for (int i = 0; i < Icpc2015Finalists.Count; i++) Resolve("finalists (README)", Icpc2015Finalists[i]).FinalistIndex = i;

        foreach (string raw in File.ReadLines(Path.Combine(icpcDir, "participants_recital_2.txt")))
        {
            if (raw.TrimStart().StartsWith('#') || raw.Trim().Length == 0) continue;
            string name = Regex.Replace(raw.Trim(), @"^(Mr|Ms|Mrs|Miss)\.?\s+|\s*\([^()]*\)\s*$", "");
            Resolve("participants_recital_2.txt", name).InStage3List = true;
        }

        // Video id -> the candidate name the authors used for their preliminary-round pairs.
        var paperNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (r, _) in ReadCsv(Path.Combine(pianojudgesDir, "pairs_prediction.csv")))
        {
            paperNames.TryAdd(r["path_1"], r["candidate_1"]);
            paperNames.TryAdd(r["path_2"], r["candidate_2"]);
        }

        string videos = Path.Combine(icpcDir, "videos.tsv");
        var seenVideos = new HashSet<string>(StringComparer.Ordinal);
        lineNo = 0;
        foreach (string raw in File.ReadLines(videos))
        {
            lineNo++;
            if (lineNo == 1 || raw.Trim().Length == 0) continue;
            var f = raw.Split('\t');
            if (f.Length < 4) throw new ManifestException(videos, lineNo, "expected stage, video_id, title, duration_s");
            int stage = f[0] switch
            {
                "00_preliminary" => 0, "01_recital1" => 1, "02_recital2" => 2, "03_recital3" => 3,
                var s => throw new ManifestException(videos, lineNo, $"unknown stage '{s}'"),
            };
            string videoId = f[1].Trim();
            if (!seenVideos.Add(videoId)) continue; // the file lists some videos twice
            string title = f[2].Trim();
            string spelling = Regex.Split(title, @"\s+[–—-]\s+")[0];
            var c = Resolve($"videos.tsv {f[0]}", spelling);
            if (stage == 0 && paperNames.TryGetValue(videoId, out var paperName))
            {
                var viaPaper = names.Match(paperName);
                if (viaPaper.Key != c.Key)
                    inconsistent.Add($"video {videoId}: title says '{spelling}', pairs_prediction.csv says '{paperName}'");
                c.PaperName = paperName;
            }
            c.Stages.Add(stage);
            if (stage == 0)
                c.PreliminaryVideos.Add((videoId, double.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : null));
        }

        foreach (var c in cands.Values)
        {
            string who = names.Display(c.Key);
            if (c.Admitted == false && c.Stages.Any(s => s >= 1))
                inconsistent.Add($"{who}: not admitted in results.tsv but has stage {c.Stages.Max()} videos");
            if (c.Label >= 3 && !c.InStage3List)
                inconsistent.Add($"{who}: label {c.Label} but not in participants_recital_2.txt");
            if (c.Label >= 2 && !c.Stages.Contains(2))
                inconsistent.Add($"{who}: reached stage III or the final but has no stage II video");
            if (c.Label >= 1 && !c.Stages.Contains(1))
                inconsistent.Add($"{who}: passed the preliminary but has no stage I video");
        }

        var rows = new List<ManifestRow>();
        foreach (var c in cands.Values.Where(c => c.PreliminaryVideos.Count > 0).OrderBy(c => Slug(names.Display(c.Key)), StringComparer.Ordinal))
        {
            string display = names.Display(c.Key);
            // Prefer the video the authors' pairs used.
            var main = c.PreliminaryVideos.FirstOrDefault(v => paperNames.ContainsKey(v.VideoId));
            if (main.VideoId is null) main = c.PreliminaryVideos[0];
            var others = c.PreliminaryVideos.Where(v => v.VideoId != main.VideoId).Select(v => v.VideoId).ToList();
            var extra = Extra(
                ("prize", c.FinalistIndex is >= 0 and < Icpc2015Prizes ? (c.FinalistIndex + 1).ToString(CultureInfo.InvariantCulture) : ""),
                ("admitted", c.Admitted switch { true => "1", false => "0", null => "" }),
                ("stages", string.Join("|", c.Stages.Select(s => s.ToString(CultureInfo.InvariantCulture)))),
                ("registered", c.Registered ? "1" : "0"),
                ("paper_name", c.PaperName ?? ""),
                ("other_preliminary_videos", string.Join("|", others)),
                ("link", $"https://www.youtube.com/watch?v={main.VideoId}"));
            rows.Add(new ManifestRow(Slug(display), main.VideoId, ManifestTask.Icpc2015, c.Label, null, Slug(display), null,
                main.Duration, "youtube", display, extra));
        }
        RequireUniqueIds(rows, "icpc2015");

        var sizes = Enumerable.Range(0, 5).ToDictionary(l => l, l => cands.Values.Count(c => c.Label == l));
        var rowSizes = Enumerable.Range(0, 5).ToDictionary(l => l, l => rows.Count(r => r.Label == l));
        var noVideo = cands.Values.Where(c => c.PreliminaryVideos.Count == 0)
            .Select(c => $"{names.Display(c.Key)} (label {c.Label})").Order(StringComparer.Ordinal).ToList();
        var manifest = new Manifest(
            "cyrta/ICPC2015-dataset videos.tsv, results.tsv, participants_recital_2.txt, the 10 finalists and 6 prizes of the reference README, " +
            "and anusfoil/PianoJudges pairs_prediction.csv (video id -> name). One row per candidate with a preliminary-round video (audio_id); " +
            "label = rounds passed (0 out in the preliminary, 1 out in stage I, 2 out in stage II, 3 out in stage III, 4 finalist); extra prize = 1-6. " +
            "Names matched across sources ignoring diacritics, case, punctuation and token order (lib/Data/CandidateNames.cs). " +
            "Converted by `pianojudges manifests convert`.", rows);
        return (manifest, new IcpcConversionReport(sizes, rowSizes, unmatched, resolved, inconsistent, noVideo));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Reads a published CSV by header name; each row with its 1-based line number.</summary>
    private static List<(CsvRow Row, int Line)> ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { MissingFieldFound = null, BadDataFound = null });
        if (!csv.Read() || !csv.ReadHeader()) throw new ManifestException(path, 1, "no header row");
        var header = csv.HeaderRecord!;
        var rows = new List<(CsvRow, int)>();
        while (csv.Read())
        {
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < header.Length; i++) row[header[i]] = (csv.GetField(i) ?? "").Trim();
            rows.Add((new CsvRow(row, path, csv.Parser.RawRow), csv.Parser.RawRow));
        }
        return rows;
    }

    /// <summary>A row whose missing column is a clear error naming the file and line.</summary>
    private sealed class CsvRow : Dictionary<string, string>
    {
        public CsvRow(Dictionary<string, string> d, string path, int line) : base(d, StringComparer.Ordinal) { Path = path; Line = line; }
        public string Path { get; }
        public int Line { get; }
        public new string this[string key] =>
            TryGetValue(key, out var v) ? v : throw new ManifestException(Path, Line, $"no column '{key}'");
    }

    private static double Number(Dictionary<string, string> row, string column, string? file = null, int line = 0)
    {
        var (path, ln) = row is CsvRow d ? (d.Path, d.Line) : (file ?? "?", line);
        string s = row.TryGetValue(column, out var v) ? v : throw new ManifestException(path, ln, $"no column '{column}'");
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x))
            throw new ManifestException(path, ln, $"{column} '{s}' is not a number");
        return x;
    }

    private static string? LinkId(string link) =>
        YouTubeLinkId.Match(link) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>Extra facts, leaving out empty values; ';' would end the field, so it becomes ','.</summary>
    private static Dictionary<string, string> Extra(params (string Key, string Value)[] pairs) =>
        pairs.Where(p => !string.IsNullOrEmpty(p.Value)).ToDictionary(p => p.Key, p => p.Value.Replace(';', ',').ReplaceLineEndings(" "));

    private static string Clean(string s) => Regex.Replace(s.ReplaceLineEndings(" "), @"\s+", " ").Trim();

    /// <summary>Drops all-capital 2-3 letter tokens at either end of a name: country codes typed into the name field ("VEN Alexia Mouza").</summary>
    private static string StripCountryCodes(string name) =>
        Regex.Replace(Clean(name), @"^(?:[A-Z]{2,3}\s+)+|(?:\s+[A-Z]{2,3})+$", "");

    /// <summary>An ASCII id from a name: "Aljoša Jurinić" -> "aljosa-jurinic".</summary>
    public static string Slug(string name) => string.Join('-', CandidateNames.Tokens(name));

    private static void RequireUniqueIds(List<ManifestRow> rows, string what)
    {
        var dup = rows.GroupBy(r => r.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (dup.Count > 0) throw new InvalidDataException($"{what}: ids occur more than once in the reference data: {string.Join(", ", dup)}");
    }
}
