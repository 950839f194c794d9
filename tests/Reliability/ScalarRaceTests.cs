namespace PianoJudges.Tests.Reliability;

using PianoJudges.Native;
using Xunit;

/// <summary>
/// TorchSharp 0.107 frees a number passed to a tensor operation (a finalisable Scalar) in its finaliser, which a
/// garbage collection on another thread can run while libtorch still reads it. The build's scalar shim
/// (native/torchsharp_scalar_shim.c) defers those releases; without it the check below dies within seconds.
/// </summary>
public class ScalarRaceTests
{
    [Fact]
    public void TorchBindsThroughTheScalarShimOfTheBuildOutput()
    {
        TorchRuntime.EnsureInitialised();
        Assert.True(OperatingSystem.IsLinux(), "the scalar shim is built on Linux only");
        Assert.NotNull(TorchRuntime.ScalarShim);
        Assert.True(File.Exists(TorchRuntime.ScalarShim), TorchRuntime.ScalarShim);
        Assert.StartsWith(Path.GetFullPath(AppContext.BaseDirectory), Path.GetFullPath(TorchRuntime.ScalarShim!));
    }

    [Fact]
    public void ScalarOperationsSurviveCollectionsStartedByAnotherThread()
    {
        string data = Directory.CreateTempSubdirectory("pj-scalar-race-").FullName;
        try
        {
            var run = Cli.Run(data, "bench", "scalar-race");
            Assert.True(run.ExitCode == 0, $"bench scalar-race exited {run.ExitCode}:\n{(run.StdOut + run.StdErr)}");
            Assert.Contains("survived", (run.StdOut + run.StdErr));
            Assert.Contains(TorchRuntime.ScalarShimFile, (run.StdOut + run.StdErr));
        }
        finally { Directory.Delete(data, recursive: true); }
    }
}
