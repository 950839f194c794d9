namespace PianoJudges.Native;

using System.Diagnostics;
using static TorchSharp.torch;

/// <summary>What <see cref="ScalarRaceCheck.Run"/> did: operations with a scalar argument, garbage collections meanwhile.</summary>
public sealed record ScalarRaceResult(long Operations, int Collections, double Seconds, string? Shim);

/// <summary>
/// Provokes TorchSharp 0.107's scalar race (lib/Native/README.md): one thread runs in-place operations that take a
/// number (each a finalisable Scalar) while another allocates without pause, so garbage collections, and with them
/// scalar finalisers, run while libtorch reads a scalar. Without the scalar shim the process dies within seconds
/// (libtorch: "Expected false to be true" at Scalar.h); with it, it runs to the end. A crash cannot be caught, so
/// run this in a process of its own (`pianojudges bench scalar-race`).
/// </summary>
public static class ScalarRaceCheck
{
    public static ScalarRaceResult Run(TimeSpan duration, CancellationToken cancellationToken = default)
    {
        TorchRuntime.EnsureInitialised();
        int threads = get_num_threads();
        set_num_threads(1);
        using var stop = new CancellationTokenSource();
        var churn = new Thread(() =>
        {
            var kept = new List<byte[]>();
            while (!stop.IsCancellationRequested)
            {
                kept.Add(new byte[1000]);
                if (kept.Count > 1000) kept.Clear();
            }
        }) { IsBackground = true, Name = "scalar-race allocator" };
        int collections0 = GC.CollectionCount(0);
        var clock = Stopwatch.StartNew();
        long operations = 0;
        try
        {
            churn.Start();
            using var t = ones(64);
            while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested)
                for (int i = 0; i < 1000; i++, operations += 2)
                    t.mul_(1.0000001).add_(1e-9);
        }
        finally
        {
            stop.Cancel();
            churn.Join();
            set_num_threads(threads);
        }
        return new ScalarRaceResult(operations, GC.CollectionCount(0) - collections0, clock.Elapsed.TotalSeconds, TorchRuntime.ScalarShim);
    }
}
