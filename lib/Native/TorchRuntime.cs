namespace PianoJudges.Native;

/// <summary>Initialises TorchSharp once and says clearly what is wrong when it cannot.</summary>
public static class TorchRuntime
{
    private static readonly Lazy<string> Version = new(() =>
    {
        try
        {
            TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
            return TorchSharp.torch.__version__;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException(
                "TorchSharp could not load its native libraries. On Linux distributions with an older libstdc++ " +
                "(GLIBCXX < 3.4.32, e.g. Debian 12) the build patches libLibTorchSharp.so in the build output; " +
                "rebuild with 'dotnet build' rather than copying binaries by hand. Inner error: " + e.Message, e);
        }
    });

    /// <summary>Loads libtorch (if not yet loaded) and returns its version string.</summary>
    public static string EnsureInitialised() => Version.Value;
}
