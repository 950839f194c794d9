namespace PianoJudges.Tests.Audio;

using PianoJudges.Audio;

public class SegmenterTests
{
    private const int Rate = 100; // 10 s segments of 1000 samples keep the arrays small
    private static float[] Ramp(int n) => Enumerable.Range(1, n).Select(i => (float)i).ToArray();

    [Fact]
    public void ZeroPad_keeps_the_tail_and_marks_the_padding()
    {
        var s = Segmenter.Split(Ramp(2500), Rate, SegmentingOptions.Paper);
        Assert.Equal(3, s.Count);
        Assert.Equal(1000, s.SegmentSamples);
        Assert.Equal([1000, 1000, 500], s.ValidSamples);
        Assert.Equal(1001f, s.Segments[1][0]);
        Assert.Equal(2500f, s.Segments[2][499]);
        Assert.All(s.Segments[2][500..], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ZeroPad_short_recording_is_one_padded_segment()
    {
        var s = Segmenter.Split(Ramp(300), Rate, SegmentingOptions.Paper);
        Assert.Equal(1, s.Count);
        Assert.Equal([300], s.ValidSamples);
        Assert.Equal(300f, s.Segments[0][299]);
        Assert.Equal(0f, s.Segments[0][300]);
    }

    [Fact]
    public void Faithful_keeps_only_whole_segments()
    {
        var s = Segmenter.Split(Ramp(2500), Rate, SegmentingOptions.PaperFaithful);
        Assert.Equal(2, s.Count);
        Assert.Equal([1000, 1000], s.ValidSamples);
        Assert.Equal(2000f, s.Segments[1][999]);
    }

    [Fact]
    public void Faithful_short_recording_is_one_all_zero_segment()
    {
        var s = Segmenter.Split(Ramp(999), Rate, SegmentingOptions.PaperFaithful);
        Assert.Equal(1, s.Count);
        Assert.Equal([0], s.ValidSamples);
        Assert.All(s.Segments[0], v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(TailMode.ZeroPad)]
    [InlineData(TailMode.Faithful)]
    public void At_most_MaxSegments_from_the_start(TailMode tail)
    {
        var s = Segmenter.Split(Ramp(31 * 1000 + 10), Rate, new SegmentingOptions(Tail: tail));
        Assert.Equal(30, s.Count);
        Assert.All(s.ValidSamples, v => Assert.Equal(1000, v));
        Assert.Equal(30000f, s.Segments[29][999]);
    }

    [Fact]
    public void Configurable_length_and_count()
    {
        var s = Segmenter.Split(Ramp(1000), Rate, new SegmentingOptions(SegmentSeconds: 2.5, MaxSegments: 3));
        Assert.Equal(3, s.Count);
        Assert.Equal(250, s.SegmentSamples);
        Assert.Equal([250, 250, 250], s.ValidSamples);
        Assert.Equal(501f, s.Segments[2][0]);
        Assert.Equal(30L * 240000, Segmenter.SamplesNeeded(24000, SegmentingOptions.Paper));
    }

    [Fact]
    public void Exact_multiple_has_no_padded_segment()
    {
        var s = Segmenter.Split(Ramp(2000), Rate, SegmentingOptions.Paper);
        Assert.Equal([1000, 1000], s.ValidSamples);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Segmenter.Split(Ramp(10), Rate, new SegmentingOptions(SegmentSeconds: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Segmenter.Split(Ramp(10), Rate, new SegmentingOptions(MaxSegments: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Segmenter.Split(Ramp(10), 0, SegmentingOptions.Paper));
    }
}
