namespace PianoJudges.Tests.FineTuning;

using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.FineTuning;
using PianoJudges.Tests.Support;

/// <summary>The objectives' corpus sampling (no torch).</summary>
public class CorpusSamplingTests
{
    private const int Rate = 8000;

    /// <summary>Files whose 1 kHz tone has amplitude 0.05 (k + 1): an excerpt's RMS names its file.</summary>
    private static string Labelled(TempDir dir, int files, double seconds)
    {
        string root = dir.File("labelled");
        Directory.CreateDirectory(root);
        for (int k = 0; k < files; k++)
        {
            var x = new float[(int)(seconds * Rate)];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(0.05 * (k + 1) * Math.Sin(2 * Math.PI * 1000 * i / Rate));
            WavWriter.WriteMono(Path.Combine(root, $"f{k}.wav"), x, Rate, float32: true);
        }
        return root;
    }

    private static int FileOf(float[] excerpt) => (int)Math.Round(Math.Sqrt(2 * excerpt.Average(v => (double)v * v)) / 0.05) - 1;

    [Fact]
    public void DacOrderWalksAShuffledFileListWhateverTheBatching()
    {
        using var dir = new TempDir();
        var corpus = PianoCorpus.Open(Labelled(dir, 5, 1.0), Rate);
        // 3 steps of 4 items = 12 items: files in a fixed shuffled order, item i takes order[i mod 5].
        var files = Enumerable.Range(0, 3).SelectMany(step => corpus.Draw(new ExcerptRequest(ExcerptSampling.Dac, step, 4, 0, 4, 800), new SplitMix64((ulong)step)))
            .Select(FileOf).ToArray();
        Assert.Equal(Enumerable.Range(0, 5).ToArray(), files.Take(5).Order().ToArray());
        Assert.Equal(Enumerable.Range(0, 12).Select(i => files[i % 5]), files);
        Assert.NotEqual(Enumerable.Range(0, 5).ToArray(), files.Take(5).ToArray()); // shuffled
        // The same items drawn as two micro-batches of 2 (another split, other generators): the same files.
        var split = corpus.Draw(new ExcerptRequest(ExcerptSampling.Dac, 1, 4, 2, 2, 800), new SplitMix64(77)).Select(FileOf);
        Assert.Equal(files.Skip(6).Take(2), split);
        // Another shuffle seed, another order.
        var other = corpus.Draw(new ExcerptRequest(ExcerptSampling.Dac with { ShuffleSeed = 5 }, 0, 5, 0, 5, 800), new SplitMix64(0)).Select(FileOf);
        Assert.NotEqual(files.Take(5), other);
    }

    [Fact]
    public void DacSalientExcerptRedrawsQuietOffsets()
    {
        using var dir = new TempDir();
        string root = dir.File("gaps");
        Directory.CreateDirectory(root);
        // 4 s: silence, then 2 s of tone. A 0.5 s excerpt at a uniform offset is silent about 3/7 of the time.
        var x = new float[4 * Rate];
        for (int i = 2 * Rate; i < x.Length; i++) x[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / Rate));
        WavWriter.WriteMono(Path.Combine(root, "gap.wav"), x, Rate, float32: true);
        WavWriter.WriteMono(Path.Combine(root, "silent.wav"), new float[Rate], Rate, float32: true);

        double SilentFraction(ExcerptSampling sampling, out PianoCorpus corpus)
        {
            corpus = PianoCorpus.Open(root, Rate);
            var rng = new SplitMix64(3);
            int silent = 0, total = 0;
            for (int step = 0; step < 200; step++)
            {
                // Two items a step: the shuffled list of two files gives one excerpt of each.
                foreach (var e in corpus.Draw(new ExcerptRequest(sampling, step, 2, 0, 2, Rate / 2), rng))
                {
                    total++;
                    if (e.All(v => v == 0)) silent++;
                }
            }
            return silent / (double)total;
        }
        // Half the items come from silent.wav, which stays silent after 8 tries; the gap file's are almost never silent.
        double withCutoff = SilentFraction(ExcerptSampling.Dac, out var salient);
        double without = SilentFraction(ExcerptSampling.Dac with { LoudnessCutoffLufs = double.NaN }, out var plain);
        Assert.InRange(withCutoff, 0.5, 0.52);
        Assert.InRange(without, 0.5 + 0.5 * 0.3, 0.5 + 0.5 * 0.55); // 1.5 of the 3.5 s of offsets are silent
        Assert.Equal(0, plain.QuietDraws);
        Assert.True(salient.QuietDraws >= 200 * 8, $"{salient.QuietDraws} quiet draws"); // silent.wav: all 8 tries each time
    }

    [Fact]
    public void AudioMaeEpochsUseEachFileOnceFromItsStart()
    {
        using var dir = new TempDir();
        var corpus = PianoCorpus.Open(Labelled(dir, 5, 3.0), Rate);
        // 5 files, 2 per step: 2 steps per epoch (drop_last leaves one file out of each epoch).
        float[][] Step(long s) => corpus.Draw(new ExcerptRequest(ExcerptSampling.AudioMae, s, 2, 0, 2, Rate), new SplitMix64((ulong)s + 100));
        var epochs = Enumerable.Range(0, 4).Select(e => Step(2 * e).Concat(Step(2 * e + 1)).Select(FileOf).ToArray()).ToArray();
        Assert.All(epochs, e => Assert.Equal(4, e.Distinct().Count()));
        Assert.True(epochs.Select(e => string.Join(",", e)).Distinct().Count() > 1, "every epoch has the same order");
        // The excerpt is the file's first second: phase 0 at sample 0.
        var first = Step(0)[0];
        Assert.Equal(0f, first[0]);
        Assert.Equal(0.05 * (FileOf(first) + 1) * Math.Sin(2 * Math.PI * 1000 * 3 / Rate), first[3], 5);
        // The draws do not depend on the generator, and split micro-batches give the same items.
        Assert.Equal(Step(5).SelectMany(x => x), corpus.Draw(new ExcerptRequest(ExcerptSampling.AudioMae, 5, 2, 0, 1, Rate), new SplitMix64(1))
            .Concat(corpus.Draw(new ExcerptRequest(ExcerptSampling.AudioMae, 5, 2, 1, 1, Rate), new SplitMix64(2))).SelectMany(x => x));
        Assert.Equal(5, corpus.LongFiles); // 3 s files for a 1 s excerpt: only their start is used
    }

    [Fact]
    public void BrokenFilesAreSkippedInPlaceAndRequestsAreChecked()
    {
        using var dir = new TempDir();
        string root = Labelled(dir, 3, 1.0);
        File.WriteAllBytes(Path.Combine(root, "f9-broken.wav"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        var corpus = PianoCorpus.Open(root, Rate);
        var items = corpus.Draw(new ExcerptRequest(ExcerptSampling.Dac, 0, 8, 0, 8, 800), new SplitMix64(1)).Select(FileOf).ToArray();
        Assert.DoesNotContain(corpus.Files, f => f.EndsWith("f9-broken.wav"));
        Assert.Contains(corpus.Skipped, n => n.Path.EndsWith("f9-broken.wav"));
        // A fresh corpus that has not yet met the broken file draws the same items.
        var again = PianoCorpus.Open(root, Rate).Draw(new ExcerptRequest(ExcerptSampling.Dac, 0, 8, 0, 8, 800), new SplitMix64(2)).Select(FileOf);
        Assert.Equal(items, again);
        Assert.Throws<ArgumentOutOfRangeException>(() => corpus.Draw(new ExcerptRequest(ExcerptSampling.Dac, 0, 2, 1, 2, 800), new SplitMix64(1)));
    }
}
