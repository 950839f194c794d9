namespace PianoJudges.Tests.Encoders;

using PianoJudges.Audio;
using PianoJudges.Encoders;

public class SpectrogramEncoderTests
{
    private const int Rate = 24000, SegmentSamples = 10 * Rate;

    /// <summary>Three 10 s segments: full noise, half noise then zero padding, all padding.</summary>
    private static SegmentedAudio ThreeSegments()
    {
        var full = MelReference.Noise(SegmentSamples, seed: 1);
        var half = new float[SegmentSamples];
        MelReference.Noise(SegmentSamples / 2, seed: 2).CopyTo(half, 0);
        return new SegmentedAudio([full, half, new float[SegmentSamples]], [SegmentSamples, SegmentSamples / 2, 0], Rate);
    }

    [Fact]
    public void EmbeddingIsSegmentsBy1500FramesBy128WithMaskFromValidSamples()
    {
        var embedding = new SpectrogramEncoder().Encode(ThreeSegments());
        Assert.Equal((3, 1500, 128), (embedding.Segments, embedding.Frames, embedding.Dim));
        Assert.Equal([true, true, false], embedding.Mask);
        Assert.All(embedding.Segment(2).ToArray(), v => Assert.Equal(0f, v));
        // Segment 1 is noise up to sample 120000: frames centred from 752 * 160 on see only its zero padding.
        Assert.All(embedding.Segment(1)[(752 * 128)..].ToArray(), v => Assert.Equal(0f, v));
        Assert.All(Enumerable.Range(0, 750), t => Assert.True(embedding.Segment(1).Slice(t * 128, 128).ToArray().Sum() > 0));
    }

    [Fact]
    public void EachFrameHoldsTheMelBandsOfThatFrame()
    {
        // Frame-major: Data[s, t, m] is band m of frame t, i.e. the released code's (mel, frame) array transposed.
        var audio = ThreeSegments();
        var embedding = new SpectrogramEncoder().Encode(audio);
        int[] frames = [0, 1, 750, 1499];
        var reference = MelReference.Compute(audio.Segments[1], new MelReference.Settings(), frames);
        foreach (int t in frames)
        {
            var row = embedding.Segment(1).Slice(t * 128, 128);
            for (int m = 0; m < 128; m++)
                Assert.Equal(reference.Mel[t, m], row[m], Math.Max(1e-4 * reference.Mel[t, m], 1e-9));
        }
    }

    [Fact]
    public void KeepsTheFirst1500Of1501Frames()
    {
        var audio = ThreeSegments();
        var mel = new MelSpectrogram();
        var all = mel.Forward(audio.Segments[0]);
        Assert.Equal(1501 * 128, all.Length);
        var embedding = new SpectrogramEncoder().Encode(audio);
        Assert.Equal(all.AsSpan(0, 1500 * 128).ToArray(), embedding.Segment(0).ToArray());
    }

    [Fact]
    public void WrongSampleRateIsRejectedClearly()
    {
        var audio = new SegmentedAudio([new float[160_000]], [160_000], 16000);
        var error = Assert.Throws<ArgumentException>(() => new SpectrogramEncoder().Encode(audio));
        Assert.Contains("24000", error.Message);
        Assert.Contains("16000", error.Message);
    }

    [Fact]
    public void SegmentsTooShortForTheKeptFramesAreRejected()
    {
        var audio = new SegmentedAudio([new float[5 * Rate]], [5 * Rate], Rate);
        var error = Assert.Throws<ArgumentException>(() => new SpectrogramEncoder().Encode(audio));
        Assert.Contains("1500", error.Message);
    }

    [Fact]
    public void NoSegmentsGiveAnEmptyEmbedding()
    {
        var embedding = new SpectrogramEncoder().Encode(new SegmentedAudio([], [], Rate));
        Assert.Equal((0, 1500, 128), (embedding.Segments, embedding.Frames, embedding.Dim));
    }

    [Fact]
    public void InfoOfThePaperConfigIsTheRegistrysAndConfigKeyTracksEverySetting()
    {
        var paper = new SpectrogramEncoder();
        Assert.Equal(EncoderRegistry.Info("spectrogram"), paper.Info);
        Assert.Equal(paper.ConfigKey, new SpectrogramEncoder(new SpectrogramEncoderConfig(new MelSpectrogramOptions())).ConfigKey);
        var variants = new[]
        {
            new SpectrogramEncoderConfig(new MelSpectrogramOptions(NMels: 64)),
            new SpectrogramEncoderConfig(new MelSpectrogramOptions(HopLength: 240)),
            new SpectrogramEncoderConfig(new MelSpectrogramOptions(MelScale: MelScale.Slaney)),
            new SpectrogramEncoderConfig(new MelSpectrogramOptions(Norm: MelNorm.Slaney)),
            new SpectrogramEncoderConfig(new MelSpectrogramOptions(Log: SpectrogramLog.Db)),
            new SpectrogramEncoderConfig(new MelSpectrogramOptions(Power: 1)),
            new SpectrogramEncoderConfig(new MelSpectrogramOptions(FMax: 8000)),
            new SpectrogramEncoderConfig(MelSpectrogramOptions.Paper, FramesKept: 1000),
        };
        var keys = variants.Select(c => new SpectrogramEncoder(c).ConfigKey).Append(paper.ConfigKey).ToArray();
        Assert.Equal(keys.Length, keys.Distinct().Count());

        var custom = new SpectrogramEncoder(new SpectrogramEncoderConfig(new MelSpectrogramOptions(NMels: 64, HopLength: 240), FramesKept: 1000));
        Assert.Equal((24000, 100.0, 64, 1000), (custom.Info.SampleRate, custom.Info.FrameRate, custom.Info.Dim, custom.Info.FramesPerSegment));
        Assert.Equal((1, 1000, 64), Shape(custom.Encode(new SegmentedAudio([MelReference.Noise(SegmentSamples, 4)], [SegmentSamples], Rate))));
    }

    [Fact]
    public void CancellationIsHonoured()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => new SpectrogramEncoder().Encode(ThreeSegments(), cts.Token));
    }

    private static (int, int, int) Shape(Embedding e) => (e.Segments, e.Frames, e.Dim);
}
