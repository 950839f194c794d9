namespace PianoJudges.Tests.Data;

using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Encoders;
using PianoJudges.Tests.Support;

public class EmbeddingCacheTests
{
    private static Embedding Sample(int segments = 3, int frames = 5, int dim = 4, int seed = 1)
    {
        var rng = new Random(seed);
        var data = Enumerable.Range(0, segments * frames * dim).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        return new Embedding(data, segments, frames, dim, Enumerable.Range(0, segments).Select(s => s < segments - 1).ToArray());
    }

    [Fact]
    public void RoundTripsFloat32Exactly()
    {
        using var tmp = new TempDir();
        var cache = new EmbeddingCache(new DataPaths(tmp.Path), "test", "cfg");
        var e = Sample();
        cache.Write("ab12", "rec1", e);
        Assert.True(cache.TryRead("ab12", out var back, out var problem), problem);
        Assert.Equal(e.Data, back!.Data);
        Assert.Equal(e.Mask, back.Mask);
        Assert.Equal((3, 5, 4), (back.Segments, back.Frames, back.Dim));
    }

    [Fact]
    public void Float16RoundTripsWithinHalfPrecision()
    {
        using var tmp = new TempDir();
        var cache = new EmbeddingCache(new DataPaths(tmp.Path), "test", "cfg", float16: true);
        var e = Sample();
        cache.Write("cd34", "rec1", e);
        Assert.True(cache.TryRead("cd34", out var back, out _));
        for (int i = 0; i < e.Data.Length; i++) Assert.InRange(back!.Data[i] - e.Data[i], -1e-3f, 1e-3f);
        var (tensors, _) = SafeTensorsFile.Read(cache.EntryPath("cd34"));
        Assert.Equal("F16", tensors["embedding"].DType);
        Assert.Equal(3 * 5 * 4 * 2, tensors["embedding"].Data.Length); // half the bytes of float32
    }

    [Fact]
    public void ACorruptedOrTruncatedEntryIsDetectedNotUsed()
    {
        using var tmp = new TempDir();
        var cache = new EmbeddingCache(new DataPaths(tmp.Path), "test", "cfg");
        cache.Write("ef56", "rec1", Sample());
        string path = cache.EntryPath("ef56");
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x40; // flip a bit in the tensor data
        File.WriteAllBytes(path, bytes);
        Assert.False(cache.TryRead("ef56", out _, out var problem));
        Assert.Contains("checksum", problem);

        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.False(cache.TryRead("ef56", out _, out problem));
        Assert.Contains(path, problem);
    }

    [Fact]
    public void ADifferentConfigIsADifferentCache()
    {
        using var tmp = new TempDir();
        var paths = new DataPaths(tmp.Path);
        var a = new EmbeddingCache(paths, "spectrogram", "n_mels=128");
        var b = new EmbeddingCache(paths, "spectrogram", "n_mels=64");
        a.Write("0011", "rec", Sample());
        Assert.NotEqual(a.Directory, b.Directory);
        Assert.False(b.TryRead("0011", out _, out _));
    }

    [Fact]
    public void ConcurrentIndexUpdatesKeepEveryEntry()
    {
        using var tmp = new TempDir();
        var cache = new EmbeddingCache(new DataPaths(tmp.Path), "test", "cfg");
        Parallel.For(0, 8, i => cache.UpdateIndex(new Dictionary<string, string> { [$"rec{i}"] = $"hash{i}" }));
        var index = cache.ReadIndex();
        Assert.Equal(8, index.Count);
        Assert.Equal("hash5", index["rec5"]);
    }
}
