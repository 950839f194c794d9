namespace PianoJudges.Tests.Data;

using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Encoders;
using PianoJudges.Tests.Support;

public class EmbeddingPipelineTests
{
    /// <summary>A small real encoder: per-frame RMS and peak of 100 ms frames at 8 kHz.</summary>
    private sealed class FrameStatsEncoder : IAudioEncoder
    {
        public int Calls;
        public EncoderInfo Info { get; } = new("framestats", 8000, 10, 2, 10, "RMS and peak per 100 ms");
        public string ConfigKey => "framestats-v1";

        public Embedding Encode(SegmentedAudio audio, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Calls);
            int frames = 10, hop = audio.SegmentSamples / frames;
            var data = new float[audio.Count * frames * 2];
            for (int s = 0; s < audio.Count; s++)
                for (int f = 0; f < frames; f++)
                {
                    var x = audio.Segments[s].AsSpan(f * hop, hop);
                    data[(s * frames + f) * 2] = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(x) / hop);
                    data[(s * frames + f) * 2 + 1] = System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(x);
                }
            return new Embedding(data, audio.Count, frames, 2, audio.ValidSamples.Select(v => v > 0).ToArray());
        }
    }

    private static string Tone(TempDir tmp, string name, double seconds, double freq, int rate = 16000)
    {
        var x = Enumerable.Range(0, (int)(seconds * rate)).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * freq * i / rate))).ToArray();
        string path = tmp.File(name + ".wav");
        WavWriter.WriteMono(path, x, rate);
        return path;
    }

    [Fact]
    public void EmbedsOnceThenReusesTheCacheAndReportsBadFiles()
    {
        using var tmp = new TempDir();
        var jobs = new List<EmbeddingJob>
        {
            new("a", Tone(tmp, "a", 2.5, 440)),
            new("b", Tone(tmp, "b", 1.0, 220)),
            new("bad", tmp.File("bad.wav")),
        };
        File.WriteAllText(jobs[2].AudioPath, "this is not a wav file");
        var encoder = new FrameStatsEncoder();
        var seg = new SegmentingOptions(SegmentSeconds: 1.0, MaxSegments: 30);
        var cache = new EmbeddingCache(new DataPaths(tmp.Path), "framestats", EmbeddingPipeline.CacheConfigKey(encoder, seg));

        var first = new EmbeddingPipeline(encoder, cache, seg).Run(jobs, ShardSpec.All);
        Assert.Equal(2, first.Computed);
        var failure = Assert.Single(first.Failures);
        Assert.Equal("bad", failure.AudioId);
        Assert.Contains("bad.wav", failure.Problem);

        var second = new EmbeddingPipeline(encoder, cache, seg).Run(jobs, ShardSpec.All);
        Assert.Equal(2, second.Cached);
        Assert.Equal(2, encoder.Calls);

        var index = cache.ReadIndex();
        Assert.Equal(["a", "b"], index.Keys.Order());
        Assert.True(cache.TryRead(index["a"], out var a, out _));
        Assert.Equal(3, a!.Segments); // 2.5 s in 1 s segments, tail zero-padded
        Assert.Equal([true, true, true], a.Mask);
        Assert.InRange(a.Data[0], 0.35f, 0.36f); // RMS of a 0.5-amplitude sine is 0.3536
    }

    [Fact]
    public void AChangedFileIsRecomputed()
    {
        using var tmp = new TempDir();
        string path = Tone(tmp, "x", 1.0, 440);
        var encoder = new FrameStatsEncoder();
        var seg = new SegmentingOptions(SegmentSeconds: 1.0);
        var cache = new EmbeddingCache(new DataPaths(tmp.Path), "framestats", EmbeddingPipeline.CacheConfigKey(encoder, seg));
        new EmbeddingPipeline(encoder, cache, seg).Run([new("x", path)], ShardSpec.All);
        Tone(tmp, "x", 1.0, 880); // same name, new content
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var again = new EmbeddingPipeline(encoder, cache, seg).Run([new("x", path)], ShardSpec.All);
        Assert.Equal(1, again.Computed);
    }

    [Fact]
    public void ShardsSplitTheWorkWithoutOverlap()
    {
        var owned = Enumerable.Range(0, 3).Select(i => Enumerable.Range(0, 10).Where(new ShardSpec(i, 3).Owns).ToList()).ToList();
        Assert.Equal(Enumerable.Range(0, 10), owned.SelectMany(x => x).Order());
        Assert.Equal([0, 3, 6, 9], owned[0]);
        Assert.Equal(new ShardSpec(2, 5), ShardSpec.Parse("2/5"));
        Assert.Throws<ArgumentException>(() => ShardSpec.Parse("5/5"));
    }

    [Fact]
    public void ReadsSlurmJobArrays()
    {
        var env = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "3", ["SLURM_ARRAY_TASK_COUNT"] = "4", ["SLURM_ARRAY_TASK_MIN"] = "1" };
        Assert.Equal(new ShardSpec(2, 4), ShardSpec.FromEnvironment(k => env.GetValueOrDefault(k)));
        Assert.Null(ShardSpec.FromEnvironment(_ => null));
    }
}
