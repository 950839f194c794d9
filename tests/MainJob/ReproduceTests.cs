namespace PianoJudges.Tests.MainJob;

using PianoJudges.Synthesis;
using PianoJudges.Tests.Reliability;
using PianoJudges.Tests.Support;

/// <summary>
/// The README's main job, run as users run it (the built CLI as a process), at the tiny size so that it takes
/// seconds: PLD-synth -> embeddings -> Table 3 -> the competition study -> one offline report whose charts render.
/// </summary>
public class ReproduceTests
{
    [Fact]
    public void TheMainJobWritesAReportWhoseChartsRenderAndARerunReusesEverything()
    {
        // The Salamander samples are fetched once per machine (as the synthesis tests do) and shared through a link.
        var shared = PianoJudges.Data.DataPaths.Resolve();
        var tiny = PldSynthConfig.ForSize(PldSynthSizes.Tiny);
        _ = new SalamanderSamples(shared, tiny.Samples with { SampleRate = PldSynth.OutputSampleRate });
        using var data = new TempDir();
        Directory.CreateSymbolicLink(Path.Combine(data.Path, "samples"), shared.Samples);

        var first = Cli.Run(data.Path, "reproduce", "--size", "tiny", "--competition");
        Assert.True(first.ExitCode == 0, first.Tail());
        string report = Path.Combine(data.Path, "reports", "pld-synth-tiny", "report.html");
        Assert.True(File.Exists(report), first.Tail());
        Assert.Contains(report, first.StdOut);
        string html = File.ReadAllText(report);
        foreach (var section in new[] { "Encoders (Table 1)", "Dataset (Table 2)", "Probing results (Table 3)", "Table 4" })
            Assert.Contains(section, html);
        foreach (var task in PianoJudges.Probing.ProbeTaskNames.All)
            Assert.True(File.Exists(Directory.GetFiles(Path.Combine(data.Path, "runs", "pld-synth-tiny", "tiny", "spectrogram", task), "results.json", SearchOption.AllDirectories).Single()), task);

        string dom = Chromium.DumpDom(report);
        Assert.Contains("class=\"main-svg\"", dom);
        Chromium.Screenshot(report, Path.Combine(RepoPaths.Artefacts("main-job"), "report.png"), 1300, 2400);

        var again = Cli.Run(data.Path, "reproduce", "--size", "tiny");
        Assert.True(again.ExitCode == 0, again.Tail());
        Assert.Contains("0 computed", again.StdOut); // every embedding comes from the cache
        Assert.Contains("(0 rendered now)", again.StdOut); // no recording is rendered again
    }
}
