namespace PianoJudges.Tests.Synthesis;

using PianoJudges.Data;
using PianoJudges.Synthesis;

public sealed class ScoreGeneratorTests
{
    private static ScoreFeatures MeanFeatures(int grade)
    {
        var all = Enumerable.Range(0, 8).Select(s => ScoreFeatures.Of(ScoreGenerator.Piece(grade, 16, new SynthRng((ulong)(1000 * grade + s))))).ToList();
        return new ScoreFeatures(all.Average(f => f.NotesPerSecond), all.Average(f => f.MeanPolyphony),
            all.Average(f => f.MeanHandSpan), all.Average(f => f.MeanLeap), (int)Math.Round(all.Average(f => f.PitchRange)));
    }

    private static double Spearman(IReadOnlyList<double> y)
    {
        var ranks = y.Select((v, i) => (v, i)).OrderBy(p => p.v).Select((p, r) => (p.i, r)).OrderBy(p => p.i).Select(p => (double)p.r).ToList();
        int n = y.Count;
        double d2 = ranks.Select((r, i) => (r - i) * (r - i)).Sum();
        return 1 - 6 * d2 / (n * (n * n - 1.0));
    }

    [Fact]
    public void DifficultyFeaturesRiseWithGrade()
    {
        var f = Enumerable.Range(1, ScoreGenerator.Grades).Select(MeanFeatures).ToList();
        for (int g = 0; g + 2 < f.Count; g += 2)
            Assert.True(f[g + 2].NotesPerSecond > f[g].NotesPerSecond, $"notes/s grade {g + 3} ({f[g + 2].NotesPerSecond:0.0}) <= grade {g + 1} ({f[g].NotesPerSecond:0.0})");
        Assert.True(f[^1].NotesPerSecond > 3 * f[0].NotesPerSecond);
        Assert.True(Spearman(f.Select(x => x.NotesPerSecond).ToList()) > 0.9);
        Assert.True(Spearman(f.Select(x => x.MeanPolyphony).ToList()) > 0.8);
        Assert.True(Spearman(f.Select(x => x.MeanHandSpan).ToList()) > 0.8);
        Assert.True(Spearman(f.Select(x => x.MeanLeap).ToList()) > 0.8);
        Assert.True(Spearman(f.Select(x => (double)x.PitchRange).ToList()) > 0.8);
    }

    [Fact]
    public void SameRngGivesSameScore()
    {
        var a = ScoreGenerator.Piece(5, 8, new SynthRng(7));
        var b = ScoreGenerator.Piece(5, 8, new SynthRng(7));
        var c = ScoreGenerator.Piece(5, 8, new SynthRng(8));
        Assert.Equal(a.Notes, b.Notes);
        Assert.NotEqual(a.Notes, c.Notes);
    }

    // Detectors written from the definitions of the techniques, independent of the generator's code.
    private static List<List<ScoreNote>> RightHandOnsets(Score s) =>
        s.Notes.Where(n => n.Hand == 1 && (n.Mark & NoteMark.Grace) == 0).GroupBy(n => Math.Round(n.Beat, 6)).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();

    private static int LongestRun(IReadOnlyList<int> pitches, Func<int, bool> interval)
    {
        int best = 0, run = 0, dir = 0;
        for (int i = 1; i < pitches.Count; i++)
        {
            int d = pitches[i] - pitches[i - 1];
            if (interval(Math.Abs(d)) && Math.Sign(d) == dir) run++;
            else run = interval(Math.Abs(d)) ? 1 : 0;
            dir = Math.Sign(d);
            best = Math.Max(best, run);
        }
        return best;
    }

    private static bool HasScaleRun(Score s) => LongestRun(RightHandOnsets(s).Select(g => g.Max(n => n.Pitch)).ToList(), d => d is 1 or 2) >= 7;
    private static bool HasArpeggio(Score s) => LongestRun(RightHandOnsets(s).Select(g => g.Max(n => n.Pitch)).ToList(), d => d is >= 3 and <= 5) >= 4;
    private static bool HasRepeatedNotes(Score s)
    {
        var tops = RightHandOnsets(s).Where(g => g.Count == 1).Select(g => g[0]).ToList();
        int run = 1;
        for (int i = 1; i < tops.Count; i++)
        {
            run = tops[i].Pitch == tops[i - 1].Pitch && tops[i].Beat - tops[i - 1].Beat <= 0.34 ? run + 1 : 1;
            if (run >= 4) return true;
        }
        return false;
    }
    private static bool HasTrillOrGrace(Score s)
    {
        if (s.Notes.Any(n => (n.Mark & NoteMark.Grace) != 0 && n.Beats < 0.1)) return true;
        var tops = RightHandOnsets(s).Select(g => g.Max(n => n.Pitch)).ToList();
        for (int i = 0; i + 5 < tops.Count; i++)
            if (Math.Abs(tops[i + 1] - tops[i]) is 1 or 2 && Enumerable.Range(i, 6).All(k => tops[k] == tops[i + (k - i) % 2])) return true;
        return false;
    }
    private static int Dyads(Score s, Func<int, bool> interval) =>
        RightHandOnsets(s).Count(g => g.Count == 2 && interval(Math.Abs(g[1].Pitch - g[0].Pitch)));

    private static Score Clip(string technique, ulong seed)
    {
        var flags = Techniques.Names.Select(n => n == technique).ToArray();
        return ScoreGenerator.TechniqueClip(flags, 8, new SynthRng(seed));
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void EachTechniqueClipShowsItsPattern(ulong seed)
    {
        Assert.True(HasScaleRun(Clip("Scales", seed)));
        Assert.True(HasArpeggio(Clip("Arpeggios", seed)));
        Assert.True(HasTrillOrGrace(Clip("Ornaments", seed)));
        Assert.True(HasRepeatedNotes(Clip("Repeatednotes", seed)));
        Assert.True(Dyads(Clip("Doublenotes", seed), d => d is 3 or 4 or 8 or 9) >= 8);
        Assert.True(Dyads(Clip("Octave", seed), d => d == 12) >= 8);
        var staccato = Clip("Staccato", seed);
        Assert.True(staccato.Notes.Where(n => n.Hand == 1).All(n => (n.Mark & NoteMark.Staccato) != 0));

        // The detectors can fail: patterns are absent where the technique is not asked for.
        Assert.False(HasRepeatedNotes(Clip("Arpeggios", seed)));
        Assert.Equal(0, Dyads(Clip("Scales", seed), d => d == 12));
        Assert.Equal(0, Dyads(Clip("Arpeggios", seed), d => d is 3 or 4 or 8 or 9));
        Assert.DoesNotContain(Clip("Scales", seed).Notes, n => (n.Mark & NoteMark.Staccato) != 0);
    }

    [Fact]
    public void StaccatoNotesArePlayedShort_LegatoNotesLong()
    {
        double Ratio(Score s)
        {
            var p = PerformanceModel.Perform(s, 0.9, new SynthRng(5));
            var rh = p.Notes.Where(n => s.Notes[n.ScoreIndex].Hand == 1).ToList();
            var onsets = rh.Select(n => n.Onset).Distinct().Order().ToList();
            double ioi = onsets.Zip(onsets.Skip(1), (a, b) => b - a).Where(d => d > 0.02).Average();
            return rh.Average(n => n.Offset - n.Onset) / ioi;
        }
        var both = Techniques.Names.Select(n => n is "Repeatednotes" or "Staccato").ToArray();
        Assert.True(Ratio(ScoreGenerator.TechniqueClip(both, 8, new SynthRng(4))) < 0.6);
        Assert.True(Ratio(Clip("Repeatednotes", 4)) > 0.8);
    }

    [Fact]
    public void MixedClipsCarryEveryPatternTheyAreLabelledWith()
    {
        var flags = Techniques.Names.Select(n => n is "Scales" or "Doublenotes").ToArray();
        var s = ScoreGenerator.TechniqueClip(flags, 8, new SynthRng(11));
        Assert.Equal(flags, s.Techniques);
        Assert.True(Dyads(s, d => d is 3 or 4 or 8 or 9) >= 8);
        Assert.True(LongestRun(RightHandOnsets(s).Select(g => g.Max(n => n.Pitch)).ToList(), d => d is 1 or 2) >= 6);
    }
}
