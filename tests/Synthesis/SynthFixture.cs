namespace PianoJudges.Tests.Synthesis;

using PianoJudges.Data;
using PianoJudges.Synthesis;

/// <summary>
/// Shared across the synthesis tests: the real Salamander samples (fetched once with npm into the user's data folder,
/// or $PIANOJUDGES_DATA) prepared with the tiny options, and one tiny dataset generated into a temporary folder.
/// </summary>
public sealed class SynthFixture : IDisposable
{
    public DataPaths SamplePaths { get; } = DataPaths.Resolve();
    public string Temp { get; } = Path.Combine(Path.GetTempPath(), $"pj-synth-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
    public PldSynthConfig Tiny { get; } = PldSynthConfig.ForSize(PldSynthSizes.Tiny);
    public SalamanderSamples Samples { get; }
    public DataPaths Output { get; }
    public PldSynthResult TinyResult { get; }

    public SynthFixture()
    {
        try
        {
            Samples = new SalamanderSamples(SamplePaths, Tiny.Samples with { SampleRate = PldSynth.OutputSampleRate });
        }
        catch (InvalidOperationException e) when (e.Message.Contains("npm", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The synthesis tests need the Salamander piano samples in {SamplePaths.Samples}: {e.Message}", e);
        }
        Output = new DataPaths(Path.Combine(Temp, "a"));
        TinyResult = PldSynth.Generate(Output, Tiny, samples: Samples);
    }

    public void Dispose()
    {
        try { Directory.Delete(Temp, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class SynthCollection : ICollectionFixture<SynthFixture>
{
    public const string Name = "synthesis";
}
