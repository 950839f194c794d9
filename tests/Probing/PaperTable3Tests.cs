namespace PianoJudges.Tests.Probing;

using PianoJudges.Probing;
using Xunit;

public class PaperTable3Tests
{
    [Fact]
    public void ABestApproachNumberIsLabelledSoItIsNotReadAsTheEncodersOwn()
    {
        Assert.Equal("0.936 (best approach)", PaperTable3.Cell(ProbeTaskNames.Expertise2, "accuracy", "audiomae"));
        Assert.Equal(0.936, PaperTable3.Cell(ProbeTaskNames.Expertise2, "accuracy", "best"));
        Assert.Null(PaperTable3.Cell(ProbeTaskNames.Expertise4, "accuracy", "audiomae"));
    }
}
