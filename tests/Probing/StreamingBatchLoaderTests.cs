namespace PianoJudges.Tests.Probing;

using PianoJudges.Encoders;
using PianoJudges.Native;
using PianoJudges.Probing;

public class StreamingBatchLoaderTests
{
    private const int T = 4, D = 3;

    private static Embedding Counting(int segments, float start, bool[]? mask = null)
    {
        var data = Enumerable.Range(0, segments * T * D).Select(i => start + i).ToArray();
        return new Embedding(data, segments, T, D, mask ?? Enumerable.Repeat(true, segments).ToArray());
    }

    public StreamingBatchLoaderTests() => TorchRuntime.EnsureInitialised();

    [Fact]
    public void PairsAreConcatenatedAlongTimePerSegmentAndMasksCombine()
    {
        var source = new InMemoryEmbeddingSource();
        source.Add("a", Counting(2, 0));                                 // shorter than 3 segments: padded
        source.Add("b", Counting(5, 1000, [false, true, true, true, true])); // longer: cut to 3
        var loader = new StreamingBatchLoader(source, new ProbeInputShape(3, T, D, Inputs: 2), 1 << 20);
        var batch = loader.Batches([new ProbeExample("a|b", ["a", "b"], 1)], 1, [0]).Single();
        using var x = batch.InputTensor(TorchSharp.torch.CPU);
        Assert.Equal(new long[] { 1, 3, 2 * T, D }, x.shape);
        float[] inputs = x.data<float>().ToArray();
        int row = T * D;
        for (int s = 0; s < 3; s++)
        {
            var seg = inputs.AsSpan(s * 2 * row, 2 * row);
            float[] expectA = s < 2 ? Enumerable.Range(s * row, row).Select(i => (float)i).ToArray() : new float[row];
            float[] expectB = Enumerable.Range(s * row, row).Select(i => 1000f + i).ToArray();
            Assert.Equal(expectA, seg[..row].ToArray());
            Assert.Equal(expectB, seg[row..].ToArray());
        }
        Assert.Equal([true, true, true], batch.Mask); // segment 0: a real, b padded; segment 2: b only
        batch.Dispose();
    }

    [Fact]
    public void PrefetchStaysWithinTheBudgetAndKeepsOrder()
    {
        var source = new InMemoryEmbeddingSource();
        for (int i = 0; i < 40; i++) source.Add($"r{i}", Counting(30, i * 10_000));
        var shape = new ProbeInputShape(30, T, D);
        long budget = 3 * shape.BatchBytes(4) + shape.BytesPerRecording;
        var loader = new StreamingBatchLoader(source, shape, budget);
        Assert.Equal(3, loader.BatchesInFlight(4));
        var examples = Enumerable.Range(0, 40).Select(i => new ProbeExample($"r{i}", [$"r{i}"], i % 2)).ToList();
        var order = Enumerable.Range(0, 40).Reverse().ToArray();
        var seen = new List<string>();
        foreach (var batch in loader.Batches(examples, 4, order))
        {
            Thread.Sleep(5); // let the producer run ahead until the budget stops it
            seen.AddRange(batch.Examples.Select(e => e.Id));
            using (var x = batch.InputTensor(TorchSharp.torch.CPU))
                Assert.Equal(batch.Examples[0].Id, $"r{(int)(x[0, 0, 0, 0].item<float>() / 10_000)}");
            batch.Dispose();
        }
        Assert.Equal(order.Select(i => $"r{i}"), seen);
        Assert.InRange(loader.PeakBytes, shape.BatchBytes(4) * 2, budget);
    }

    [Fact]
    public void ABudgetBelowOneBatchIsAClearError()
    {
        var loader = new StreamingBatchLoader(new InMemoryEmbeddingSource(), new ProbeInputShape(30, 1500, 128), 100_000_000);
        var e = Assert.Throws<ArgumentException>(() => loader.BatchesInFlight(12));
        Assert.Contains("smaller than one batch of 12", e.Message);
    }

    [Fact]
    public void AWrongShapeOrMissingRecordingNamesTheRecording()
    {
        var source = new InMemoryEmbeddingSource();
        source.Add("ok", Counting(30, 0));
        source.Add("wide", new Embedding(new float[30 * T * 5], 30, T, 5, new bool[30]));
        var loader = new StreamingBatchLoader(source, new ProbeInputShape(30, T, D), 1 << 24);
        var examples = new List<ProbeExample> { new("ok", ["ok"], 0), new("wide", ["wide"], 0), new("gone", ["gone"], 0) };
        var e = Assert.Throws<InvalidOperationException>(() => loader.Batches(examples, 1, [0, 1]).ToList().ForEach(b => b.Dispose()));
        Assert.Contains("'wide'", e.Message);
        var e2 = Assert.Throws<InvalidOperationException>(() => loader.Batches(examples, 1, [2]).ToList());
        Assert.Contains("'gone'", e2.Message);
    }

    [Fact]
    public void StoppingEarlyReleasesTheProducer()
    {
        var source = new InMemoryEmbeddingSource();
        for (int i = 0; i < 20; i++) source.Add($"r{i}", Counting(30, 0));
        var shape = new ProbeInputShape(30, T, D);
        var loader = new StreamingBatchLoader(source, shape, 1 << 24);
        var examples = Enumerable.Range(0, 20).Select(i => new ProbeExample($"r{i}", [$"r{i}"], 0)).ToList();
        var first = loader.Batches(examples, 2, Enumerable.Range(0, 20).ToArray()).First();
        first.Dispose();
        Assert.Equal(2, loader.Batches(examples, 2, [0, 1, 2, 3]).Count());
    }

    [Fact]
    public void AReusedBufferCarriesNothingOverAndAShortLastBatchHasItsOwnShape()
    {
        TorchRuntime.EnsureInitialised();
        var source = new InMemoryEmbeddingSource();
        for (int i = 0; i < 4; i++) source.Add($"r{i}", Counting(3, 1 + i * 100));
        source.Add("short", Counting(1, 7, [true]));
        var shape = new ProbeInputShape(3, T, D);
        var loader = new StreamingBatchLoader(source, shape, shape.BatchBytes(2) + shape.BytesPerRecording); // no prefetch: one buffer
        var examples = new[] { "r0", "r1", "r2", "r3", "short" }.Select(id => new ProbeExample(id, [id], 0)).ToList();
        var batches = new List<(int Count, long[] Shape, float[] Values)>();
        foreach (var b in loader.Batches(examples, 2, [0, 1, 2, 3, 4]))
        {
            using var x = b.InputTensor(TorchSharp.torch.CPU);
            batches.Add((b.Count, x.shape, x.data<float>().ToArray()));
            b.Dispose();
        }
        Assert.Equal([2, 2, 1], batches.Select(b => b.Count));
        var last = batches[2];
        Assert.Equal(new long[] { 1, 3, T, D }, last.Shape);
        Assert.Equal(Enumerable.Range(0, T * D).Select(i => 7f + i), last.Values.Take(T * D));
        Assert.All(last.Values.Skip(T * D), v => Assert.Equal(0f, v)); // segments 1 and 2 are padding, not r2/r3 leftovers
        Assert.InRange(loader.PeakBytes, 1, shape.BatchBytes(2) + shape.BytesPerRecording);
    }
}
