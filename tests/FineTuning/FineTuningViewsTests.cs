namespace PianoJudges.Tests.FineTuning;

using PianoJudges.Encoders.AudioMae;
using PianoJudges.FineTuning.AudioMae;
using PianoJudges.FineTuning.Dac;
using PianoJudges.Reporting;

/// <summary>Seeds torch's global generator: runs in the non-parallel GlobalTorchSeed collection.</summary>
[Collection("GlobalTorchSeed")]
public class FineTuningViewsTests
{
    public FineTuningViewsTests() => FineTuningTestSetup.Initialise();

    [Fact]
    public void AudioMaeReconstructionHasTheImageShapeAndTheConfiguredMaskRatio()
    {
        var config = AudioMaePretrainConfig.Toy;
        using var model = new AudioMaeMaskedAutoencoder(config);
        var clip = PianoFixture.Note(60, config.CropSeconds + 0.1, 16000);
        var view = FineTuningViews.AudioMaeReconstruction(model, clip, seed: 1);

        var e = config.EncoderConfig;
        foreach (var image in new[] { view.Original, view.Mask, view.Masked, view.Reconstruction })
        {
            Assert.Equal(e.TargetLength, image.GetLength(0));
            Assert.Equal(e.NumMelBins, image.GetLength(1));
        }
        Assert.Equal(e.NumPatches, view.Patches);
        Assert.Equal(e.NumPatches - (int)(e.NumPatches * (1 - config.MaskRatio)), view.MaskedPatches);
        Assert.Equal(config.MaskRatio, view.MaskedFraction, 1);
        Assert.Equal(100.0, view.FramesPerSecond);

        // The original is the front end's fbank of the mean-removed crop, unpatchified back to (time, bin).
        var crop = clip.Take(config.CropSamples).ToArray();
        float mean = (float)crop.Average(v => (double)v);
        using var fbank = AudioMaeFrontEnd.Compute(crop.Select(v => v - mean).ToArray(), e);
        var expected = fbank.contiguous().data<float>().ToArray();
        for (int t = 0; t < e.TargetLength; t++)
            for (int f = 0; f < e.NumMelBins; f++)
                Assert.Equal(expected[t * e.NumMelBins + f], view.Original[t, f], 4);

        int hiddenPixels = 0;
        for (int t = 0; t < e.TargetLength; t++)
            for (int f = 0; f < e.NumMelBins; f++)
            {
                bool hidden = view.Mask[t, f] == 1f;
                if (hidden) hiddenPixels++;
                // Hidden pixels are blank in the input and predicted in the reconstruction; visible ones are copied.
                Assert.Equal(hidden, float.IsNaN(view.Masked[t, f]));
                if (!hidden) Assert.Equal(view.Original[t, f], view.Reconstruction[t, f]);
                Assert.True(float.IsFinite(view.Reconstruction[t, f]));
            }
        Assert.Equal(view.MaskedPatches * e.PatchSize * e.PatchSize, hiddenPixels);
        // Whole patches are hidden: the mask is constant inside each patch.
        for (int t = 0; t < e.TargetLength; t++)
            for (int f = 0; f < e.NumMelBins; f++)
                Assert.Equal(view.Mask[t / e.PatchSize * e.PatchSize, f / e.PatchSize * e.PatchSize], view.Mask[t, f]);
        Assert.Equal(3, view.Charts().Count);
        Assert.Contains("Masked input", view.ToNotebookHtml());
    }

    [Fact]
    public void AudioMaeReconstructionRejectsAClipShorterThanTheCrop()
    {
        using var model = new AudioMaeMaskedAutoencoder(AudioMaePretrainConfig.Toy);
        var error = Assert.Throws<ArgumentException>(() => FineTuningViews.AudioMaeReconstruction(model, new float[100]));
        Assert.Contains("100 samples", error.Message);
    }

    [Fact]
    public void DacRoundTripDecodesToTheInputLength()
    {
        var config = DacTrainingConfig.Toy;
        using var codec = new DacCodec(config);
        int rate = config.CodecConfig.SampleRate;
        // A length that is not a multiple of the hop: the codec pads, the round trip cuts back.
        var clip = PianoFixture.Note(60, 0.3, rate).Take(rate * 3 / 10 + 7).ToArray();
        var trip = FineTuningViews.DacRoundTrip(codec, clip);

        Assert.Equal(rate, trip.SampleRate);
        Assert.Same(clip, trip.Original);
        Assert.Equal(clip.Length, trip.Decoded.Length);
        Assert.All(trip.Decoded, v => Assert.True(float.IsFinite(v)));
        Assert.True(trip.ErrorRms > 0);
        var views = trip.Views();
        Assert.Equal(4, views.Count);
        Assert.Equal(2, views.OfType<AudioPlayer>().Count());
        Assert.Equal(2, views.OfType<ChartView>().Count());
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(trip.ToNotebookHtml(), "<audio ").Count);
    }
}
