namespace PianoJudges.Reporting;

using System.Net;
using PianoJudges.Audio;

/// <summary>
/// An audio player for a notebook output or a report: the sound as a 16-bit WAV inside the page (a data URI),
/// so it plays offline. A notebook cell that ends with an <see cref="AudioPlayer"/> shows the player.
/// </summary>
[TypeFormatterSource(typeof(NotebookHtmlFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed class AudioPlayer : INotebookHtml
{
    /// <summary>Longer sounds make pages heavy (about 2 bytes per sample, a third more in base64).</summary>
    public const double MaxSeconds = 60;

    private AudioPlayer(byte[] wav, string caption, double seconds)
    {
        Wav = wav;
        Caption = caption;
        Seconds = seconds;
    }

    /// <summary>The WAV file bytes (mono, 16-bit PCM, clipped to [-1, 1]).</summary>
    public byte[] Wav { get; }
    public string Caption { get; }
    public double Seconds { get; }

    public static AudioPlayer From(IReadOnlyList<float> samples, int sampleRate, string caption = "")
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "The sample rate must be positive.");
        if (samples.Count == 0) throw new ArgumentException("No samples to play.", nameof(samples));
        double seconds = (double)samples.Count / sampleRate;
        if (seconds > MaxSeconds)
            throw new ArgumentException($"{seconds:0.#} s of audio: a player holds at most {MaxSeconds} s; cut the sound first.", nameof(samples));
        // WavWriter is the project's one WAV encoder and writes files only: encode through a temporary file.
        string tmp = Path.Combine(Path.GetTempPath(), $"pianojudges-player-{Guid.NewGuid():N}.wav");
        try
        {
            WavWriter.WriteMono(tmp, samples as float[] ?? samples.ToArray(), sampleRate);
            return new AudioPlayer(File.ReadAllBytes(tmp), caption, seconds);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    public static AudioPlayer From(AudioClip clip, string? caption = null) =>
        From(clip.ToMono(), clip.SampleRate, caption ?? Path.GetFileName(clip.Source));

    public string ToHtml() =>
        "<figure class=\"pj-audio\" style=\"margin:.5rem 0\">" +
        (Caption.Length > 0 ? $"<figcaption>{WebUtility.HtmlEncode(Caption)}</figcaption>" : "") +
        $"<audio controls preload=\"auto\" src=\"data:audio/wav;base64,{Convert.ToBase64String(Wav)}\"></audio></figure>\n";

    public string ToNotebookHtml() => ToHtml();

    public override string ToString() => $"audio \"{Caption}\" ({Seconds:0.##} s)";
}
