namespace PianoJudges.Probing;

using System.Collections.Concurrent;
using PianoJudges.Encoders;
using PianoJudges.Native;
using static TorchSharp.torch;

/// <summary>
/// One batch on the host: inputs (B, S, T_total, D) in a pooled CPU tensor, segment mask (B, S), labels.
/// Dispose it after the step that uses its inputs: the buffer then goes back to the loader.
/// </summary>
public sealed class ProbeBatch : IDisposable
{
    private readonly Tensor buffer;
    private Action? release;

    internal ProbeBatch(ProbeExample[] examples, Tensor buffer, bool[] mask, long bytes, Action release)
    {
        Examples = examples;
        this.buffer = buffer;
        Mask = mask;
        Bytes = bytes;
        this.release = release;
    }

    public ProbeExample[] Examples { get; }
    public bool[] Mask { get; }
    /// <summary>Host bytes this batch holds (counted against the loader's budget).</summary>
    public long Bytes { get; }
    public int Count => Examples.Length;

    /// <summary>
    /// (B, S, T, D) float32 inputs on <paramref name="device"/>. On the CPU this is a view of the pooled
    /// buffer (no copy), valid until the batch is disposed; dispose the returned handle as usual.
    /// </summary>
    public Tensor InputTensor(Device device)
    {
        ObjectDisposedException.ThrowIf(release is null, this);
        var view = buffer[..Count];
        if (device.type == TorchSharp.DeviceType.CPU) return view;
        using (view) return view.to(device);
    }

    /// <summary>(B, S) bool mask, true where a segment holds audio.</summary>
    public Tensor MaskTensor(Device device) =>
        tensor(Mask, [Count, Mask.Length / Count], device: device);

    /// <summary>Single-label: (B) int64. Multi-label: (B, K) float32.</summary>
    public Tensor TargetTensor(ProbeObjective objective, Device device)
    {
        if (objective.Kind == ObjectiveKind.SingleLabel)
            return tensor(Examples.Select(e => (long)e.Label).ToArray(), device: device);
        var t = new float[Count * objective.Classes];
        for (int i = 0; i < Count; i++) Examples[i].Targets!.CopyTo(t, i * objective.Classes);
        return tensor(t, [Count, objective.Classes], device: device);
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref release, null)?.Invoke();
    }
}

/// <summary>The shape of one example as fed to the head.</summary>
/// <param name="Segments">Segments per recording (30); longer recordings are cut, shorter ones padded and masked.</param>
/// <param name="Frames">Frames per segment of ONE recording (T).</param>
/// <param name="Dim">D.</param>
/// <param name="Inputs">Recordings per example (2 for ranking pairs).</param>
public sealed record ProbeInputShape(int Segments, int Frames, int Dim, int Inputs = 1)
{
    public int FramesTotal => Frames * Inputs;
    public long FloatsPerExample => (long)Segments * FramesTotal * Dim;
    public long BytesPerRecording => (long)Segments * Frames * Dim * sizeof(float);
    public long BatchBytes(int batchSize) => batchSize * (FloatsPerExample * sizeof(float) + Segments);
}

/// <summary>
/// Streams batches from an <see cref="IEmbeddingSource"/> with a background prefetch thread. The batches
/// alive at once (queued, being filled, being used) never take more than the memory budget, so training
/// never holds the whole dataset. Input buffers are CPU tensors reused from batch to batch, so the memory
/// held is the budgeted batches, not whatever the GC has yet to collect, and the model reads them without a copy.
/// </summary>
public sealed class StreamingBatchLoader
{
    /// <summary>One batch in use and two being prepared: more prefetch would only hold memory.</summary>
    public const int MaxBatchesInFlight = 3;

    private readonly IEmbeddingSource source;
    private long current;
    private long peak;

    public StreamingBatchLoader(IEmbeddingSource source, ProbeInputShape shape, long memoryBudgetBytes)
    {
        TorchRuntime.EnsureInitialised();
        this.source = source;
        Shape = shape;
        MemoryBudgetBytes = memoryBudgetBytes;
    }

    public ProbeInputShape Shape { get; }
    public long MemoryBudgetBytes { get; }

    /// <summary>Largest number of host bytes held by batches and the recording being read, since creation.</summary>
    public long PeakBytes => Interlocked.Read(ref peak);

    /// <summary>How many batches of <paramref name="batchSize"/> may be alive at once within the budget.</summary>
    public int BatchesInFlight(int batchSize)
    {
        long batch = Shape.BatchBytes(batchSize);
        long n = (MemoryBudgetBytes - Shape.BytesPerRecording) / batch;
        if (n < 1)
            throw new ArgumentException(
                $"memory budget {MemoryBudgetBytes:N0} bytes is smaller than one batch of {batchSize} " +
                $"({batch:N0} bytes) plus one recording being read ({Shape.BytesPerRecording:N0} bytes)");
        return (int)Math.Min(n, MaxBatchesInFlight);
    }

    /// <summary>
    /// Batches of <paramref name="examples"/> in the given <paramref name="order"/> (indices). With room for
    /// two or more batches a background thread fills the next while the caller trains on the current one.
    /// </summary>
    public IEnumerable<ProbeBatch> Batches(IReadOnlyList<ProbeExample> examples, int batchSize, IReadOnlyList<int> order,
        CancellationToken cancellationToken = default)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be at least 1");
        int inFlight = BatchesInFlight(batchSize);
        var chunks = new List<ProbeExample[]>();
        for (int i = 0; i < order.Count; i += batchSize)
            chunks.Add(order.Skip(i).Take(batchSize).Select(k => examples[k]).ToArray());

        var pool = new BufferPool();
        try
        {
            if (inFlight < 2)
            {
                foreach (var chunk in chunks)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return Fill(chunk, batchSize, pool, null);
                }
                yield break;
            }

            // Not disposed: a batch handed out may be disposed (its slot released) after this enumeration ends.
            var slots = new SemaphoreSlim(inFlight, inFlight);
            using var queue = new BlockingCollection<ProbeBatch>(inFlight);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Exception? failure = null;
            var producer = new Thread(() =>
            {
                try
                {
                    foreach (var chunk in chunks)
                    {
                        slots.Wait(stop.Token);
                        queue.Add(Fill(chunk, batchSize, pool, slots), stop.Token);
                    }
                }
                catch (OperationCanceledException) { }
                catch (Exception e) { failure = e; }
                finally { queue.CompleteAdding(); }
            }) { IsBackground = true, Name = "probe-prefetch" };
            producer.Start();
            try
            {
                foreach (var batch in queue.GetConsumingEnumerable(cancellationToken))
                    yield return batch;
                if (failure is not null)
                    throw new InvalidOperationException($"reading embeddings failed: {failure.Message}", failure);
            }
            finally
            {
                stop.Cancel();
                while (queue.TryTake(out var left)) left.Dispose();
                producer.Join();
                while (queue.TryTake(out var left)) left.Dispose();
            }
        }
        finally
        {
            pool.Close();
        }
    }

    private ProbeBatch Fill(ProbeExample[] chunk, int batchSize, BufferPool pool, SemaphoreSlim? slot)
    {
        var s = Shape;
        long bytes = s.BatchBytes(batchSize);
        Account(bytes);
        Tensor? buffer = null;
        try
        {
            // Owned by the pool, not by whatever dispose scope the caller may have open.
            buffer = pool.Take() ?? zeros(batchSize, s.Segments, s.FramesTotal, s.Dim).DetachFromDisposeScope();
            var mask = new bool[chunk.Length * s.Segments];
            int rowFloats = s.Frames * s.Dim;
            using (var data = buffer.data<float>())
            {
                for (int b = 0; b < chunk.Length; b++)
                {
                    var ex = chunk[b];
                    if (ex.AudioIds.Count != s.Inputs)
                        throw new ArgumentException($"example '{ex.Id}' has {ex.AudioIds.Count} recordings, the task expects {s.Inputs}");
                    for (int k = 0; k < s.Inputs; k++)
                    {
                        Account(s.BytesPerRecording);
                        try
                        {
                            var emb = source.Load(ex.AudioIds[k]);
                            Check(emb, ex.AudioIds[k]);
                            int segs = Math.Min(emb.Segments, s.Segments);
                            for (int seg = 0; seg < segs; seg++)
                            {
                                // Segment row of the example: recording k's T frames follow recording k-1's along time.
                                long dst = (b * (long)s.Segments + seg) * s.FramesTotal * s.Dim + (long)k * rowFloats;
                                data.CopyFrom(emb.Segment(seg), 0, dst);
                                mask[b * s.Segments + seg] |= emb.Mask[seg];
                            }
                        }
                        finally { Account(-s.BytesPerRecording); }
                    }
                }
            }
            var filled = buffer;
            return new ProbeBatch(chunk, filled, mask, bytes, () =>
            {
                pool.Return(filled);
                Account(-bytes);
                slot?.Release();
            });
        }
        catch
        {
            if (buffer is not null) pool.Return(buffer);
            Account(-bytes);
            slot?.Release();
            throw;
        }
    }

    private void Check(Embedding e, string audioId)
    {
        if (e.Frames != Shape.Frames || e.Dim != Shape.Dim)
            throw new ArgumentException(
                $"embedding of '{audioId}' has (frames {e.Frames}, dim {e.Dim}) per segment, the head expects ({Shape.Frames}, {Shape.Dim})");
    }

    private void Account(long delta)
    {
        long now = Interlocked.Add(ref current, delta);
        long p;
        while (now > (p = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, p) != p) { }
    }

    /// <summary>Input tensors for reuse; once closed, returned buffers are freed instead.</summary>
    private sealed class BufferPool
    {
        private readonly Stack<Tensor> free = new();
        private bool closed;

        /// <summary>A zeroed buffer, or null when none is free.</summary>
        public Tensor? Take()
        {
            lock (free)
            {
                if (free.Count == 0) return null;
                return free.Pop().zero_();
            }
        }

        public void Return(Tensor t)
        {
            lock (free)
            {
                if (closed) t.Dispose();
                else free.Push(t);
            }
        }

        public void Close()
        {
            lock (free)
            {
                closed = true;
                while (free.Count > 0) free.Pop().Dispose();
            }
        }
    }
}
