namespace PianoJudges.Synthesis;

using PianoJudges.Data;

/// <summary>
/// What makes a score of one Henle-like grade hard: the knobs <see cref="ScoreGenerator"/> turns.
/// Henle grades 1..9 mostly move together in note density, texture, hand span, leaps, tempo and range.
/// </summary>
/// <param name="Grade">1 (easiest) .. 9.</param>
/// <param name="Bpm">Typical written tempo.</param>
/// <param name="SubdivisionWeights">Right hand: how often a beat holds 1, 2, 3 or 4 notes.</param>
/// <param name="ChordProbability">Chance that a right-hand beat starts with a chord under the melody.</param>
/// <param name="MaxChordSize">Most notes one hand strikes at once.</param>
/// <param name="MaxSpan">Widest hand span in semitones.</param>
/// <param name="LeapProbability">Chance of a melodic leap rather than a step.</param>
/// <param name="MaxLeapDegrees">Largest leap in scale degrees.</param>
/// <param name="RangeSemitones">Range of the right hand.</param>
/// <param name="LeftHandStyle">0 held bass, 1 block chords, 2 Alberti bass, 3 broken chords over an octave, 4 bass octaves with leaping broken chords.</param>
public sealed record DifficultyProfile(
    int Grade, double Bpm, double[] SubdivisionWeights, double ChordProbability, int MaxChordSize, int MaxSpan,
    double LeapProbability, int MaxLeapDegrees, int RangeSemitones, int LeftHandStyle);

/// <summary>
/// Procedural scores (no existing music): phrases of four bars over common progressions in a random key and
/// metre, with difficulty driven by <see cref="DifficultyProfile"/>, and technique clips built from the
/// patterns that define each of the paper's 7 techniques.
/// </summary>
public static class ScoreGenerator
{
    public const int Grades = 9;

    private static readonly int[] Major = [0, 2, 4, 5, 7, 9, 11];
    private static readonly int[] HarmonicMinor = [0, 2, 3, 5, 7, 8, 11];

    /// <summary>Four-bar progressions as scale-degree roots (0 = I, 3 = IV, 4 = V, 5 = vi, 1 = ii).</summary>
    private static readonly int[][] Progressions = [[0, 3, 4, 0], [0, 5, 3, 4], [0, 1, 4, 0], [5, 3, 0, 4], [0, 4, 5, 3], [0, 3, 1, 4]];

    // Right-hand subdivision mix per grade: the main driver of note density.
    private static readonly double[][] SubdivisionTable =
    [
        [0.75, 0.25, 0, 0], [0.5, 0.5, 0, 0], [0.3, 0.6, 0.1, 0], [0.15, 0.6, 0.15, 0.1], [0.1, 0.45, 0.2, 0.25],
        [0.05, 0.35, 0.2, 0.4], [0.05, 0.25, 0.2, 0.5], [0, 0.15, 0.2, 0.65], [0, 0.1, 0.1, 0.8],
    ];

    public static DifficultyProfile Profile(int grade)
    {
        if (grade is < 1 or > Grades) throw new ArgumentOutOfRangeException(nameof(grade), $"grade must be 1..{Grades}, got {grade}");
        double t = (grade - 1) / (double)(Grades - 1);
        return new DifficultyProfile(
            grade,
            Bpm: 66 + 54 * t,
            SubdivisionWeights: SubdivisionTable[grade - 1],
            ChordProbability: 0.02 + 0.4 * t,
            MaxChordSize: 2 + (int)Math.Round(2 * t),
            MaxSpan: 7 + (int)Math.Round(6 * t),
            LeapProbability: 0.03 + 0.3 * t,
            MaxLeapDegrees: 3 + (int)Math.Round(7 * t),
            RangeSemitones: 12 + (int)Math.Round(24 * t),
            LeftHandStyle: Math.Min(4, (grade - 1) / 2));
    }

    /// <summary>A piece of <paramref name="bars"/> bars at Henle-like <paramref name="grade"/>.</summary>
    public static Score Piece(int grade, int bars, SynthRng rng)
    {
        if (bars < 1) throw new ArgumentOutOfRangeException(nameof(bars), $"bars must be >= 1, got {bars}");
        var p = Profile(grade);
        var key = new KeySignature(rng.Next(12), rng.Chance(0.35));
        int bpb = grade <= 2 ? rng.Pick([3, 4]) : rng.Pick([2, 3, 4]);
        double bpm = p.Bpm * rng.Uniform(0.9, 1.1);
        var notes = new List<ScoreNote>();
        var changes = new List<double>();
        int rangeDegrees = p.RangeSemitones * 7 / 12;
        int centre = 7 + rng.Between(-1, 2); // around C5
        int lo = centre - rangeDegrees / 2, hi = centre + rangeDegrees / 2;
        int d = centre, dir = 1;
        int[] progression = rng.Pick(Progressions);
        double dynamic = rng.Uniform(0.4, 0.7);
        for (int bar = 0; bar < bars; bar++)
        {
            if (bar % 4 == 0)
            {
                progression = rng.Pick(Progressions);
                dynamic = Math.Clamp(dynamic + rng.Uniform(-0.15, 0.15), 0.3, 0.85);
            }
            int root = progression[bar % 4];
            double barStart = bar * bpb;
            changes.Add(barStart);
            double barDynamic = dynamic * (1 + 0.12 * Math.Sin(Math.PI * ((bar % 4) + 0.5) / 4)); // a hairpin per phrase
            for (int b = 0; b < bpb; b++)
            {
                int sub = 1 + rng.Weighted(p.SubdivisionWeights);
                double beatsEach = 1.0 / sub;
                if (sub == 1 && b + 1 < bpb && rng.Chance(0.3)) beatsEach = 2; // a half note
                for (int k = 0; k < sub; k++)
                {
                    if (rng.Chance(p.LeapProbability))
                        d += (rng.Chance(0.5) ? 1 : -1) * rng.Between(3, Math.Max(3, p.MaxLeapDegrees));
                    else if (k == 0)
                        d = NearestChordTone(d + dir, root, dir);
                    else
                        d += rng.Chance(0.8) ? dir : -dir;
                    if (d > hi) { d = hi - (d - hi) % 3; dir = -1; }
                    if (d < lo) { d = lo + (lo - d) % 3; dir = 1; }
                    if (rng.Chance(0.2)) dir = -dir;
                    double beat = barStart + b + k * beatsEach;
                    int pitch = key.Pitch(d);
                    notes.Add(new ScoreNote(beat, beatsEach, pitch, 1, barDynamic));
                    if (k == 0 && rng.Chance(p.ChordProbability))
                    {
                        int added = 0;
                        for (int cd = d - 1; added < p.MaxChordSize - 1 && pitch - key.Pitch(cd) <= p.MaxSpan; cd--)
                            if (IsChordTone(cd, root) && rng.Chance(0.8))
                            {
                                notes.Add(new ScoreNote(beat, beatsEach, key.Pitch(cd), 1, barDynamic * 0.85));
                                added++;
                            }
                    }
                }
                if (beatsEach == 2) b++;
            }
            LeftHand(notes, key, root, barStart, bpb, p, barDynamic * 0.8, rng);
        }
        return Finish(notes, bpm, bpb, key, bars * bpb, changes, pedal: true, grade, new bool[Techniques.Names.Count]);
    }

    private static void LeftHand(List<ScoreNote> notes, KeySignature key, int root, double start, int bpb, DifficultyProfile p, double dyn, SynthRng rng)
    {
        int r = root - 14 + (root > 3 ? -7 : 0); // two octaves down, kept in the bass
        void Add(double beat, double beats, int degree, double dy = 1) => notes.Add(new ScoreNote(start + beat, beats, key.Pitch(degree), 0, dyn * dy));
        switch (p.LeftHandStyle)
        {
            case 0:
                if (bpb == 4 && rng.Chance(0.5)) { Add(0, 2, r); Add(2, 2, r + 4); }
                else Add(0, bpb, r);
                break;
            case 1:
                for (int b = 0; b < bpb; b++)
                {
                    if (b == 0) { Add(0, 1, r); Add(0, 1, r + 4); }
                    else { Add(b, 1, r + 2); Add(b, 1, r + 4); }
                }
                break;
            case 2: // Alberti (root, fifth, third, fifth) over a held bass
                Add(0, bpb, r - 7);
                int[] alberti = [0, 4, 2, 4];
                for (int i = 0; i < bpb * 2; i++) Add(i * 0.5, 0.5, r + alberti[i % 4], i % 4 == 0 ? 1 : 0.85);
                break;
            case 3: // broken chord over more than an octave above a held bass
                Add(0, bpb, r - 7);
                int[] broken = [0, 4, 7, 9, 11, 9, 7, 4];
                for (int i = 0; i < bpb * 4; i++) Add(i * 0.25, 0.25, r + broken[i % 8], i % 4 == 0 ? 1 : 0.8);
                break;
            default: // stride: a bass octave, then the chord spread in 16ths a leap higher
                for (int b = 0; b < bpb; b++)
                {
                    Add(b, 1, r - 7);
                    Add(b, 1, r);
                    for (int k = 1; k < 4; k++) Add(b + k * 0.25, 0.25, r + 2 + 2 * k + (b % 2) * 7, 0.8);
                }
                break;
        }
    }

    /// <summary>
    /// A technique clip of <paramref name="bars"/> 4/4 bars showing each technique set in <paramref name="techniques"/>
    /// (multi-hot in <see cref="Techniques.Names"/> order). Scales, Arpeggios, Ornaments and Repeatednotes are figures;
    /// Doublenotes (thirds or sixths), Octave and Staccato transform the figure they are played with, as in études.
    /// </summary>
    public static Score TechniqueClip(bool[] techniques, int bars, SynthRng rng)
    {
        if (techniques.Length != Techniques.Names.Count) throw new ArgumentException($"expected {Techniques.Names.Count} technique flags, got {techniques.Length}", nameof(techniques));
        if (!techniques.Any(t => t)) throw new ArgumentException("a technique clip needs at least one technique", nameof(techniques));
        var figures = new List<int>();
        for (int i = 0; i < 4; i++) if (techniques[i]) figures.Add(i);
        bool doubles = techniques[4], octaves = techniques[5], staccato = techniques[6];
        var key = new KeySignature(rng.Next(12), rng.Chance(0.3));
        double bpm = rng.Uniform(72, 112);
        var notes = new List<ScoreNote>();
        var changes = new List<double>();
        double dyn = rng.Uniform(0.45, 0.75);
        int segment = 0;
        for (int bar = 0; bar < bars; bar += 2, segment++)
        {
            int segBars = Math.Min(2, bars - bar);
            int figure = figures.Count > 0 ? figures[segment % figures.Count] : -1;
            // With both doublenotes and octaves, segments take turns so each stays recognisable.
            bool segDoubles = doubles && (!octaves || segment % 2 == 0);
            bool segOctaves = octaves && (!doubles || segment % 2 == 1);
            bool thirds = rng.Chance(0.6);
            int root = rng.Pick(Progressions)[0];
            var line = Figure(figure, bar * 4.0, segBars * 4, root, segDoubles || segOctaves, rng);
            foreach (var (beat, beats, degree, mark) in line)
            {
                int top = key.Pitch(degree);
                var m = staccato && (mark & NoteMark.Grace) == 0 ? mark | NoteMark.Staccato : mark;
                notes.Add(new ScoreNote(beat, beats, top, 1, dyn, m));
                if ((mark & NoteMark.Grace) != 0) continue;
                if (segDoubles) notes.Add(new ScoreNote(beat, beats, key.Pitch(degree - (thirds ? 2 : 5)), 1, dyn * 0.9, m));
                if (segOctaves) notes.Add(new ScoreNote(beat, beats, top - 12, 1, dyn * 0.9, m));
            }
            // A light bass once a bar: in an exercise the figure is the music, and a loud bass would own the spectrum.
            for (int b = 0; b < segBars * 4; b += 4)
            {
                int bass = root - 14;
                double beat = bar * 4.0 + b;
                changes.Add(beat);
                notes.Add(new ScoreNote(beat, 4, key.Pitch(bass), 0, dyn * 0.35));
                if (octaves) notes.Add(new ScoreNote(beat, 4, key.Pitch(bass) - 12, 0, dyn * 0.35));
            }
        }
        return Finish(notes, bpm, 4, key, bars * 4, changes, pedal: techniques[1], grade: 0, (bool[])techniques.Clone());
    }

    /// <summary>The right-hand figure of one segment as (beat, beats, scale degree, mark), degree 7 = the tonic above middle C.</summary>
    private static List<(double Beat, double Beats, int Degree, NoteMark Mark)> Figure(int figure, double start, int beats, int root, bool doubled, SynthRng rng)
    {
        var line = new List<(double, double, int, NoteMark)>();
        switch (figure)
        {
            case 0: // scale runs, turning at the ends
            {
                int sub = doubled ? 2 : rng.Pick([3, 4, 4]);
                int d = root + 7 - rng.Between(0, 4), dir = rng.Chance(0.5) ? 1 : -1, run = 0, runLength = rng.Between(8, 14);
                for (int i = 0; i < beats * sub; i++)
                {
                    line.Add((start + (double)i / sub, 1.0 / sub, d, NoteMark.None));
                    if (++run >= runLength || d + dir > 16 || d + dir < 0) { dir = -dir; run = 0; runLength = rng.Between(8, 14); }
                    d += dir;
                }
                break;
            }
            case 1: // arpeggios: chord tones over two octaves, up and down
            {
                int sub = doubled ? 2 : rng.Pick([3, 4]);
                int[] shape = [0, 2, 4, 7, 9, 11, 14, 11, 9, 7, 4, 2];
                int baseDegree = root + rng.Between(0, 2);
                for (int i = 0; i < beats * sub; i++)
                    line.Add((start + (double)i / sub, 1.0 / sub, baseDegree + shape[i % shape.Length], NoteMark.None));
                break;
            }
            case 2: // ornaments: a melody with trills, mordents and grace notes
            {
                NoteMark[] plan = [NoteMark.Trill, NoteMark.None, NoteMark.Grace, NoteMark.Mordent, NoteMark.None, NoteMark.Grace, NoteMark.Trill, NoteMark.None];
                int d = root + 7 + rng.Between(0, 2);
                for (int b = 0; b < beats; b++)
                {
                    double t = start + b;
                    switch (plan[(b + rng.Next(2)) % plan.Length])
                    {
                        case NoteMark.Trill:
                            for (int k = 0; k < 8; k++) line.Add((t + k / 8.0, 1 / 8.0, d + (k % 2 == 1 ? 1 : 0), NoteMark.Trill));
                            break;
                        case NoteMark.Mordent:
                            line.Add((t, 1 / 8.0, d, NoteMark.Mordent));
                            line.Add((t + 1 / 8.0, 1 / 8.0, d + 1, NoteMark.Mordent));
                            line.Add((t + 2 / 8.0, 0.75, d, NoteMark.None));
                            break;
                        case NoteMark.Grace:
                            line.Add((t - 0.08, 0.06, d + (rng.Chance(0.5) ? 1 : -1), NoteMark.Grace));
                            line.Add((t, 1, d, NoteMark.None));
                            break;
                        default:
                            line.Add((t, 0.5, d, NoteMark.None));
                            line.Add((t + 0.5, 0.5, d + rng.Pick([-2, 2, 3]), NoteMark.None));
                            break;
                    }
                    d += rng.Pick([-2, -1, 1, 2]);
                    d = Math.Clamp(d, 4, 13);
                }
                break;
            }
            case 3: // repeated notes: one pitch struck again and again, then the next
            {
                int sub = rng.Pick([3, 4]);
                int d = root + 7;
                for (int b = 0; b < beats; b++)
                {
                    for (int k = 0; k < sub; k++) line.Add((start + b + (double)k / sub, 1.0 / sub, d, NoteMark.None));
                    if (rng.Chance(0.7)) d = Math.Clamp(d + rng.Pick([-3, -2, -1, 1, 2, 3]), 3, 14);
                }
                break;
            }
            default: // a plain melody in eighths for clips that are only doublenotes, octaves or staccato
            {
                int d = root + 7;
                int[] moves = [2, -1, 3, -2, 1, -3, 2, 4, -2];
                for (int i = 0; i < beats * 2; i++)
                {
                    line.Add((start + i * 0.5, 0.5, d, NoteMark.None));
                    d = Math.Clamp(d + moves[(i + rng.Next(3)) % moves.Length], 3, 14);
                }
                break;
            }
        }
        return line;
    }

    private static Score Finish(List<ScoreNote> notes, double bpm, int bpb, KeySignature key, double totalBeats, List<double> changes, bool pedal, int grade, bool[] techniques)
    {
        var clamped = notes
            .Select(n => n with { Pitch = Math.Clamp(n.Pitch, SalamanderSamples.LowestKey, SalamanderSamples.HighestKey), Beat = Math.Max(0, n.Beat) })
            .OrderBy(n => n.Beat).ThenBy(n => n.Pitch).ToList();
        return new Score(clamped, bpm, bpb, key.Tonic, key.Minor, totalBeats, changes, pedal, grade, techniques);
    }

    private static bool IsChordTone(int degree, int root) => ((degree - root) % 7 + 7) % 7 is 0 or 2 or 4;

    private static int NearestChordTone(int degree, int root, int dir)
    {
        for (int k = 0; k < 3; k++)
        {
            if (IsChordTone(degree + dir * k, root)) return degree + dir * k;
            if (IsChordTone(degree - dir * k, root)) return degree - dir * k;
        }
        return degree;
    }

    /// <summary>A key: scale degree 0 is the tonic just above middle C, 7 the tonic an octave higher.</summary>
    private readonly record struct KeySignature(int Tonic, bool Minor)
    {
        public int Pitch(int degree)
        {
            int octave = (int)Math.Floor(degree / 7.0);
            int step = degree - 7 * octave;
            return 60 + Tonic + 12 * octave + (Minor ? HarmonicMinor : Major)[step];
        }
    }
}
