namespace PianoJudges.Tests.Reporting;

using PianoJudges.Data;
using PianoJudges.Probing;
using PianoJudges.Probing.Tasks;
using PianoJudges.Reporting;
using PianoJudges.Synthesis;

public class NotebookDataTests
{
    [Fact]
    public void Tiny_gives_every_grade_and_every_technique_a_validation_and_test_example()
    {
        var items = PldSynth.Plan(NotebookData.Config(NotebookSize.Tiny));

        var difficulty = items.Where(i => i.Row.Task == ManifestTask.Difficulty).ToList();
        foreach (var grade in difficulty.GroupBy(i => i.Row.Label))
            Assert.Equal(["test", "train", "validation"], grade.Select(i => i.Row.Split).Distinct().Order(StringComparer.Ordinal));
        var technique = items.Where(i => i.Row.Task == ManifestTask.Technique).ToList();
        foreach (var split in PldSynth.Splits)
            Assert.Contains(technique, i => i.Row.Split == split);
    }

    [Fact]
    public void Notebook_sizes_are_the_CLIs_sizes_and_profiles()
    {
        Assert.Equal(PldSynthSizes.Tiny, NotebookData.Config(NotebookSize.Tiny).Size);
        Assert.Equal(PldSynthSizes.Small, NotebookData.Config(NotebookSize.Small).Size);
        Assert.Equal(ProbeProfile.Small, NotebookData.Profile(NotebookSize.Small));
        Assert.Equal(ProbeProfile.Tiny, NotebookData.Profile(NotebookSize.Tiny));
    }

    [Theory]
    [InlineData(ProbeTaskNames.Expertise2, 2)]
    [InlineData(ProbeTaskNames.Expertise4, 4)]
    [InlineData(ProbeTaskNames.Difficulty9, 9)]
    [InlineData(ProbeTaskNames.Difficulty3, 3)]
    [InlineData(ProbeTaskNames.Techniques, 7)]
    public void Class_names_cover_every_class_of_the_task(string task, int classes) =>
        Assert.Equal(classes, ProbeTaskNames.ClassNames(task).Distinct().Count());

    [Theory]
    [InlineData(2, 0, "first +2")]
    [InlineData(1, 0, "first +1")]
    [InlineData(0, 1, "second +1")]
    [InlineData(0, 2, "second +2")]
    public void R4_class_names_follow_eq_1(int levelFirst, int levelSecond, string name) =>
        Assert.Equal(name, ProbeTaskNames.ClassNames(ProbeTaskNames.Expertise4)[ExpertiseRanking.PairLabel(levelFirst, levelSecond, 4)]);

    [Theory]
    [InlineData(1, "Henle 1-3")]
    [InlineData(6, "Henle 4-6")]
    [InlineData(7, "Henle 7-9")]
    public void Three_class_names_match_the_grade_grouping(int henle, string name) =>
        Assert.Equal(name, ProbeTaskNames.ClassNames(ProbeTaskNames.Difficulty3)[PieceDifficulty.ClassOf(henle, 3)]);
}
