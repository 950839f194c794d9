namespace PianoJudges.Tests.FineTuning;

using PianoJudges.Native;

internal static class FineTuningTestSetup
{
    /// <summary>
    /// Loads torch and uses one intra-op thread: these tests run thousands of tiny ops, and on a shared 2-core machine
    /// OpenMP's thread hand-offs made them 10x slower than one thread.
    /// </summary>
    public static void Initialise()
    {
        TorchRuntime.EnsureInitialised();
        TorchSharp.torch.set_num_threads(1);
    }
}
