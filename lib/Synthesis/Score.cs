namespace PianoJudges.Synthesis;

/// <summary>How a score note is to be played, beyond pitch and time.</summary>
[Flags]
public enum NoteMark
{
    None = 0,
    Staccato = 1,
    /// <summary>A grace note (acciaccatura): as short as possible, just before its main note.</summary>
    Grace = 2,
    /// <summary>Part of a written-out trill.</summary>
    Trill = 4,
    /// <summary>Part of a mordent.</summary>
    Mordent = 8,
}

/// <summary>One note of a score.</summary>
/// <param name="Beat">Onset in beats from the start.</param>
/// <param name="Beats">Written duration in beats.</param>
/// <param name="Pitch">MIDI note number (21..108).</param>
/// <param name="Hand">0 = left hand, 1 = right hand.</param>
/// <param name="Dynamic">Written loudness 0..1 (pp ~ 0.25, mf ~ 0.55, ff ~ 0.9).</param>
/// <param name="Mark">Articulation and ornament marks.</param>
public sealed record ScoreNote(double Beat, double Beats, int Pitch, int Hand, double Dynamic, NoteMark Mark = NoteMark.None);

/// <summary>A generated score: notes in beats plus what a performer needs (tempo, metre, where the harmony changes).</summary>
/// <param name="Notes">Notes sorted by onset.</param>
/// <param name="Bpm">Written tempo in beats per minute.</param>
/// <param name="BeatsPerBar">Metre (2, 3 or 4 beats).</param>
/// <param name="Tonic">Pitch class of the key (0 = C).</param>
/// <param name="Minor">Minor (harmonic) mode rather than major.</param>
/// <param name="TotalBeats">Length in beats.</param>
/// <param name="HarmonyChanges">Beats where the harmony changes: where a pianist changes the pedal.</param>
/// <param name="PedalAdvised">Whether the texture wants the sustain pedal (legato accompaniment) or not (dry technical work).</param>
/// <param name="Grade">Henle-like difficulty 1..9 the score was generated for (0 for technique clips).</param>
/// <param name="Techniques">Multi-hot over <see cref="PianoJudges.Data.Techniques.Names"/> (all false for pieces).</param>
public sealed record Score(
    IReadOnlyList<ScoreNote> Notes,
    double Bpm,
    int BeatsPerBar,
    int Tonic,
    bool Minor,
    double TotalBeats,
    IReadOnlyList<double> HarmonyChanges,
    bool PedalAdvised,
    int Grade,
    bool[] Techniques)
{
    public double SecondsPerBeat => 60.0 / Bpm;
    public double NominalSeconds => TotalBeats * SecondsPerBeat;
}

/// <summary>Measures of how hard a score is, the quantities <see cref="ScoreGenerator"/> drives with the grade.</summary>
/// <param name="NotesPerSecond">Note onsets per second at the written tempo.</param>
/// <param name="MeanPolyphony">Mean number of notes sounding at once (written note durations summed over the length).</param>
/// <param name="MeanHandSpan">Mean interval (semitones) between the outer notes of what one hand strikes at once (chords only; 0 without chords).</param>
/// <param name="MeanLeap">Mean absolute interval (semitones) between successive top notes of the right hand.</param>
/// <param name="PitchRange">Lowest to highest note (semitones).</param>
public sealed record ScoreFeatures(double NotesPerSecond, double MeanPolyphony, double MeanHandSpan, double MeanLeap, int PitchRange)
{
    public static ScoreFeatures Of(Score score)
    {
        var notes = score.Notes.Where(n => (n.Mark & NoteMark.Grace) == 0).ToList();
        if (notes.Count == 0) return new(0, 0, 0, 0, 0);
        double seconds = Math.Max(score.NominalSeconds, 1e-9);
        var chords = notes.GroupBy(n => (Math.Round(n.Beat, 6), n.Hand)).Where(g => g.Count() > 1).ToList();
        double span = chords.Count == 0 ? 0 : chords.Average(g => g.Max(n => n.Pitch) - g.Min(n => n.Pitch));
        var tops = notes.Where(n => n.Hand == 1).GroupBy(n => Math.Round(n.Beat, 6)).OrderBy(g => g.Key).Select(g => g.Max(n => n.Pitch)).ToList();
        double leap = tops.Count < 2 ? 0 : tops.Zip(tops.Skip(1), (a, b) => Math.Abs(b - a)).Average();
        return new(notes.Count / seconds, notes.Sum(n => n.Beats) / Math.Max(score.TotalBeats, 1e-9), span, leap, notes.Max(n => n.Pitch) - notes.Min(n => n.Pitch));
    }
}
