namespace PianoJudges.Synthesis;

/// <summary>One played note.</summary>
/// <param name="Onset">Key down, seconds from the start.</param>
/// <param name="Offset">Key up, seconds (the damper falls here unless the sustain pedal is down).</param>
/// <param name="Pitch">MIDI note actually struck (differs from the score for a wrong note).</param>
/// <param name="Velocity">Loudness 0..1.</param>
/// <param name="ScoreIndex">Index of the score note this realises.</param>
/// <param name="Wrong">A wrong note (a neighbouring key instead of the written one).</param>
public sealed record PerformedNote(double Onset, double Offset, int Pitch, double Velocity, int ScoreIndex, bool Wrong);

/// <summary>The sustain pedal held down from <paramref name="Down"/> to <paramref name="Up"/> seconds.</summary>
public sealed record PedalSpan(double Down, double Up);

/// <summary>A performance of a score: played notes, pedalling and what went wrong.</summary>
public sealed record Performance(
    IReadOnlyList<PerformedNote> Notes,
    IReadOnlyList<PedalSpan> Pedal,
    double Skill,
    double EndSeconds,
    int WrongNotes,
    int MissedNotes,
    int Hesitations,
    int Restarts);

/// <summary>How a player of a given skill plays: the parameters <see cref="PerformanceModel"/> derives from skill.</summary>
/// <param name="TempoFactor">Played tempo / written tempo (learners play slower).</param>
/// <param name="TimingJitter">SD of each onset around its intended time, seconds.</param>
/// <param name="TempoWander">SD per beat of the random walk of log tempo (unsteady pulse).</param>
/// <param name="Rubato">Depth of deliberate phrase-end slowing (shaping, grows with skill).</param>
/// <param name="DynamicSpread">Relative SD of note loudness around the written dynamic (uneven touch).</param>
/// <param name="Shaping">Deliberate accent on downbeats and melody (voicing, grows with skill).</param>
/// <param name="ChordSpread">SD of onsets within a chord, seconds.</param>
/// <param name="WrongNoteRate">Chance per note of striking a neighbouring key.</param>
/// <param name="MissedNoteRate">Chance per note of leaving it out.</param>
/// <param name="HesitationRate">Chance per bar line of stopping briefly.</param>
/// <param name="RestartRate">Chance per bar of breaking off and starting the bar again.</param>
/// <param name="PedalPrecision">0..1: 1 changes the pedal cleanly at each harmony, 0 holds it through changes and lifts late.</param>
public sealed record PerformanceTraits(
    double TempoFactor, double TimingJitter, double TempoWander, double Rubato, double DynamicSpread, double Shaping,
    double ChordSpread, double WrongNoteRate, double MissedNoteRate, double HesitationRate, double RestartRate, double PedalPrecision)
{
    /// <summary>Traits at <paramref name="skill"/> in [0, 1]: beginners ~0.05-0.35, advanced ~0.4-0.7, virtuosos ~0.75-1.</summary>
    public static PerformanceTraits At(double skill)
    {
        double s = Math.Clamp(skill, 0, 1), u = 1 - s;
        return new PerformanceTraits(
            TempoFactor: 0.6 + 0.4 * s,
            TimingJitter: 0.004 + 0.05 * Math.Pow(u, 1.5),
            TempoWander: 0.006 + 0.05 * u * u,
            Rubato: 0.1 * s,
            DynamicSpread: 0.04 + 0.22 * u,
            Shaping: 0.15 * s,
            ChordSpread: 0.004 + 0.03 * u,
            WrongNoteRate: 0.002 + 0.07 * u * u,
            MissedNoteRate: 0.001 + 0.05 * u * u,
            HesitationRate: 0.3 * Math.Pow(u, 2.5),
            RestartRate: 0.15 * Math.Pow(u, 3),
            PedalPrecision: s);
    }
}

/// <summary>
/// Turns a score into a performance for a player of continuous skill: timing, tempo stability, touch, accuracy,
/// fluency and pedalling all improve with skill (<see cref="PerformanceTraits.At"/>), so fields of near-equal players
/// (a competition) are as easy to make as three well-separated expertise levels.
/// </summary>
public static class PerformanceModel
{
    /// <summary>Skill ranges of the paper's three expertise levels (beginner, advanced, virtuoso).</summary>
    public static readonly IReadOnlyList<(double Low, double High)> LevelSkill = [(0.05, 0.35), (0.4, 0.7), (0.75, 1.0)];

    public static double SkillFor(int expertiseLevel, SynthRng rng)
    {
        if ((uint)expertiseLevel >= (uint)LevelSkill.Count) throw new ArgumentOutOfRangeException(nameof(expertiseLevel), $"expertise level must be 0..{LevelSkill.Count - 1}, got {expertiseLevel}");
        var (lo, hi) = LevelSkill[expertiseLevel];
        return rng.Uniform(lo, hi);
    }

    public static Performance Perform(Score score, double skill, SynthRng rng)
    {
        if (!double.IsFinite(skill)) throw new ArgumentOutOfRangeException(nameof(skill), $"skill must be finite, got {skill}");
        var t = PerformanceTraits.At(skill);
        double s = Math.Clamp(skill, 0, 1);
        double spb = score.SecondsPerBeat / t.TempoFactor;
        int bpb = score.BeatsPerBar;
        var bars = score.Notes.Select((n, i) => (Note: n, Index: i))
            .GroupBy(x => (int)Math.Floor(Math.Max(0, x.Note.Beat) / bpb + 1e-9))
            .OrderBy(g => g.Key).ToList();
        var played = new List<PerformedNote>();
        var beatTime = new SortedDictionary<double, double>();
        double time = 0.3, logTempo = 0;
        int wrong = 0, missed = 0, hesitations = 0, restarts = 0;
        double? lastBeat = null;

        void PlayBar(IGrouping<int, (ScoreNote Note, int Index)> bar, double upToFraction)
        {
            double barStart = bar.Key * bpb;
            foreach (var group in bar.GroupBy(x => Math.Round(x.Note.Beat, 6)).OrderBy(g => g.Key))
            {
                if (group.Key - barStart >= upToFraction * bpb) break;
                double delta = lastBeat is null ? 0 : Math.Max(0, group.Key - lastBeat.Value);
                bool phraseEnd = bar.Key % 4 == 3;
                double rubato = phraseEnd ? 1 + t.Rubato * (group.Key - barStart) / bpb : 1;
                // One tempo step per beat crossed: the pulse wanders, pulled back towards the written tempo.
                for (double b = 0; b < delta; b += 1) logTempo = 0.9 * logTempo + rng.Gaussian(0, t.TempoWander);
                time += delta * spb * Math.Exp(-logTempo) * rubato;
                lastBeat = group.Key;
                beatTime[group.Key] = time;
                double top = group.Max(x => x.Note.Pitch);
                foreach (var (n, index) in group.OrderBy(x => x.Index))
                {
                    if (rng.Chance(t.MissedNoteRate)) { missed++; continue; }
                    int pitch = n.Pitch;
                    bool isWrong = false;
                    if ((n.Mark & NoteMark.Grace) == 0 && rng.Chance(t.WrongNoteRate))
                    {
                        pitch = Math.Clamp(pitch + rng.Pick([-2, -1, 1, 2]), SalamanderSamples.LowestKey, SalamanderSamples.HighestKey);
                        isWrong = true;
                        wrong++;
                    }
                    double onset = time + rng.Gaussian(0, t.TimingJitter) + (group.Count() > 1 ? rng.Gaussian(0, t.ChordSpread) : 0);
                    if (n.Hand == 1 && n.Pitch == top && group.Count() > 1) onset -= 0.015 * s; // melody lead
                    double written = n.Beats * spb * Math.Exp(-logTempo);
                    double length = (n.Mark & NoteMark.Grace) != 0 ? 0.05
                        : (n.Mark & NoteMark.Staccato) != 0 ? Math.Min(written * (0.55 - 0.25 * s), 0.2)
                        : written * (0.88 + 0.08 * s);
                    double accent = 1 + t.Shaping * ((group.Key - barStart < 1e-6 ? 0.5 : 0) + (n.Hand == 1 && n.Pitch == top ? 0.6 : -0.2));
                    double velocity = Math.Clamp(n.Dynamic * accent * (1 + rng.Gaussian(0, t.DynamicSpread)), 0.05, 1.0);
                    played.Add(new PerformedNote(Math.Max(0, onset), Math.Max(0, onset) + Math.Max(0.03, length), pitch, velocity, index, isWrong));
                }
            }
        }

        foreach (var bar in bars)
        {
            if (bar.Key > 0 && rng.Chance(t.HesitationRate))
            {
                time += rng.Uniform(0.3, 1.2) * (1.2 - s);
                hesitations++;
            }
            if (rng.Chance(t.RestartRate))
            {
                PlayBar(bar, rng.Uniform(0.25, 0.75));
                time += rng.Uniform(0.5, 1.5);
                lastBeat = bar.Key * bpb;
                restarts++;
            }
            PlayBar(bar, 1.0);
        }
        double endOfScore = time + (score.TotalBeats - (lastBeat ?? 0)) * spb;
        var pedal = Pedal(score, s, t, beatTime, endOfScore, rng);
        played.Sort((a, b) => a.Onset != b.Onset ? a.Onset.CompareTo(b.Onset) : a.Pitch.CompareTo(b.Pitch));
        double end = Math.Max(endOfScore, played.Count == 0 ? 0 : played.Max(n => n.Offset));
        if (pedal.Count > 0) end = Math.Max(end, pedal[^1].Up);
        return new Performance(played, pedal, skill, end, wrong, missed, hesitations, restarts);
    }

    private static List<PedalSpan> Pedal(Score score, double s, PerformanceTraits t, SortedDictionary<double, double> beatTime, double end, SynthRng rng)
    {
        var spans = new List<PedalSpan>();
        bool use = score.PedalAdvised ? rng.Chance(0.3 + 0.7 * s) : rng.Chance(0.2 * (1 - s));
        if (!use || beatTime.Count == 0) return spans;
        var times = score.HarmonyChanges.Select(c => TimeAt(beatTime, c)).Append(end).ToList();
        for (int i = 0; i + 1 < times.Count; i++)
        {
            // Imprecise pedalling holds through a harmony change (blurring) and lifts late.
            int hold = rng.Chance(0.6 * (1 - t.PedalPrecision)) ? 2 : 1;
            int j = Math.Min(times.Count - 1, i + hold);
            double down = times[i] + rng.Uniform(0.03, 0.12) + (1 - t.PedalPrecision) * rng.Uniform(0, 0.2);
            double up = times[j] + rng.Uniform(0, 0.03) + (1 - t.PedalPrecision) * rng.Uniform(0, 0.25);
            if (spans.Count > 0 && down < spans[^1].Up) down = spans[^1].Up + 0.02;
            if (up > down + 0.05) spans.Add(new PedalSpan(down, up));
            i = j - 1;
        }
        return spans;
    }

    private static double TimeAt(SortedDictionary<double, double> beatTime, double beat)
    {
        foreach (var (b, time) in beatTime)
            if (b >= beat - 1e-6) return time;
        return beatTime.Last().Value;
    }
}
