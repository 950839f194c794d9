namespace PianoJudges.Tests.Synthesis;

using PianoJudges.Synthesis;

public sealed class PerformanceModelTests
{
    /// <summary>SD of log(played inter-onset interval / written one) over successive right-hand onsets: 0 for a metronome.</summary>
    private static double TimingIrregularity(Score score, Performance p)
    {
        var firstByBeat = new SortedDictionary<double, double>();
        foreach (var n in p.Notes.Where(n => !n.Wrong && score.Notes[n.ScoreIndex].Hand == 1 && (score.Notes[n.ScoreIndex].Mark & NoteMark.Grace) == 0))
        {
            double beat = Math.Round(score.Notes[n.ScoreIndex].Beat, 6);
            firstByBeat[beat] = n.Onset; // the last (re)played time of that beat
        }
        var pts = firstByBeat.ToList();
        var logs = new List<double>();
        for (int i = 1; i < pts.Count; i++)
        {
            double db = pts[i].Key - pts[i - 1].Key, dt = pts[i].Value - pts[i - 1].Value;
            if (db > 0 && dt > 0) logs.Add(Math.Log(dt / db));
        }
        double mean = logs.Average();
        return Math.Sqrt(logs.Average(x => (x - mean) * (x - mean)));
    }

    [Fact]
    public void BeginnersAreLessSteadyAndLessAccurateThanVirtuosos()
    {
        double jitterLow = 0, jitterHigh = 0;
        int wrongLow = 0, wrongHigh = 0, notesLow = 0, notesHigh = 0, stopsLow = 0, stopsHigh = 0;
        for (ulong seed = 0; seed < 10; seed++)
        {
            var score = ScoreGenerator.Piece(4, 16, new SynthRng(seed));
            var low = PerformanceModel.Perform(score, 0.2, new SynthRng(100 + seed));
            var high = PerformanceModel.Perform(score, 0.95, new SynthRng(100 + seed));
            jitterLow += TimingIrregularity(score, low);
            jitterHigh += TimingIrregularity(score, high);
            wrongLow += low.WrongNotes + low.MissedNotes;
            wrongHigh += high.WrongNotes + high.MissedNotes;
            notesLow += score.Notes.Count;
            notesHigh += score.Notes.Count;
            stopsLow += low.Hesitations + low.Restarts;
            stopsHigh += high.Hesitations + high.Restarts;
            Assert.Equal(low.WrongNotes, low.Notes.Count(n => n.Wrong));
            Assert.Equal(score.Notes.Count, high.Notes.Count + high.MissedNotes - RestartedNotes(high, score));
        }
        Assert.True(jitterLow > 2.5 * jitterHigh, $"timing irregularity beginner {jitterLow / 10:0.000} vs virtuoso {jitterHigh / 10:0.000}");
        Assert.True((double)wrongLow / notesLow > 5.0 * wrongHigh / notesHigh, $"wrong+missed rate beginner {(double)wrongLow / notesLow:P1} vs virtuoso {(double)wrongHigh / notesHigh:P1}");
        Assert.True(stopsLow > stopsHigh + 5, $"hesitations+restarts beginner {stopsLow} vs virtuoso {stopsHigh}");
    }

    private static int RestartedNotes(Performance p, Score s) =>
        p.Notes.GroupBy(n => n.ScoreIndex).Sum(g => g.Count() - 1);

    [Fact]
    public void NearEqualSkillsGiveNearEqualButDistinctPerformances()
    {
        var score = ScoreGenerator.Piece(9, 8, new SynthRng(3));
        var a = PerformanceModel.Perform(score, 0.93, new SynthRng(1));
        var b = PerformanceModel.Perform(score, 0.94, new SynthRng(1));
        Assert.NotEqual(a.Notes, b.Notes);
        Assert.InRange(a.EndSeconds / b.EndSeconds, 0.95, 1.05);
    }

    [Fact]
    public void SkilledPlayersChangeThePedalWithTheHarmony()
    {
        var score = ScoreGenerator.Piece(6, 16, new SynthRng(9));
        var p = PerformanceModel.Perform(score, 1.0, new SynthRng(2));
        Assert.NotEmpty(p.Pedal);
        Assert.True(p.Pedal.Count >= score.HarmonyChanges.Count - 1);
        Assert.All(p.Pedal.Zip(p.Pedal.Skip(1)), x => Assert.True(x.First.Up <= x.Second.Down, "pedal spans overlap"));
    }
}
