namespace PianoJudges.Native;

using System.Reflection;
using System.Runtime.InteropServices;

/// <summary>Initialises TorchSharp once and says clearly what is wrong when it cannot.</summary>
public static class TorchRuntime
{
    private static readonly Lazy<string> Version = new(() =>
    {
        RegisterNativeResolver();
        return Initialise();
    });

    // Kept apart so that compiling the factory above cannot run torch's static constructor (which loads the
    // native library) before the resolver is registered.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string Initialise()
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
                "reference the assemblies of a build output of this repository (e.g. cli/bin/Release/net10.0) rather " +
                "than the NuGet package directly. Inner error: " + e.Message, e);
        }
    }

    /// <summary>Loads libtorch (if not yet loaded) and returns its version string.</summary>
    public static string EnsureInitialised() => Version.Value;

    /// <summary>File name of the library that defers TorchSharp's scalar releases (native/torchsharp_scalar_shim.c).</summary>
    public const string ScalarShimFile = "libPianoJudgesScalarShim.so";

    /// <summary>
    /// The scalar shim in use (its path), or null when this build output has none (not Linux, or built with
    /// PianoJudgesScalarShim=false): then TorchSharp frees scalars at once and a garbage collection on another
    /// thread can free one while libtorch reads it (see lib/Native/README.md). Valid after <see cref="EnsureInitialised"/>.
    /// </summary>
    public static string? ScalarShim { get; private set; }

    /// <summary>
    /// Hosts without the app's deps.json (a notebook kernel that references our build output by path) do not
    /// probe runtimes/&lt;rid&gt;/native, and TorchSharp then loads "torch_cpu" by bare name, which can find a
    /// system libtorch of another version (Debian's python3-torch installs one in /lib). Loading our copies by
    /// full path first makes every later by-name load bind to them (the loader matches loaded sonames), and
    /// the resolver serves LibTorchSharp itself: the patched copy beside TorchSharp's assembly.
    /// </summary>
    private static void RegisterNativeResolver()
    {
        var assembly = typeof(TorchSharp.torch).Assembly;
        string? dir = Path.GetDirectoryName(assembly.Location);
        if (string.IsNullOrEmpty(dir) || !OperatingSystem.IsLinux()) return;
        string native = Path.Combine(dir, "runtimes", $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}", "native");
        if (!Directory.Exists(native)) return;
        foreach (var lib in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
        {
            string path = Path.Combine(native, lib);
            if (File.Exists(path)) NativeLibrary.TryLoad(path, out _);
        }
        // Every P/Invoke of TorchSharp into LibTorchSharp binds through the shim, which forwards all but the
        // scalar release to the real library (its dependency). Registered before torch's first native call.
        string shim = Path.Combine(native, ScalarShimFile);
        if (File.Exists(shim))
        {
            if (!NativeLibrary.TryLoad(shim, out var shimHandle))
                throw new InvalidOperationException($"{shim}: cannot be loaded; rebuild, or build with -p:PianoJudgesScalarShim=false to go without it");
            NativeLibrary.SetDllImportResolver(assembly, (name, _, _) => name == "LibTorchSharp" ? shimHandle : IntPtr.Zero);
            ScalarShim = shim;
        }
        // Fires only after the normal probing failed, so ordinary apps (with a deps.json) never reach it.
        System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(assembly)!.ResolvingUnmanagedDll += (_, name) =>
        {
            string path = Path.Combine(native, $"lib{name}.so");
            return File.Exists(path) && NativeLibrary.TryLoad(path, out var handle) ? handle : IntPtr.Zero;
        };
    }
}
