namespace PianoJudges.Tests.FineTuning;

using PianoJudges.Audio;

/// <summary>Piano-like test audio: decaying harmonic tones written as real WAV files, decoded back by AudioReader.</summary>
public static class PianoFixture
{
    /// <summary>A note at MIDI pitch <paramref name="midi"/>: 6 partials with slightly stretched (inharmonic) frequencies and exponential decay.</summary>
    public static float[] Note(int midi, double seconds, int sampleRate, double onset = 0.0)
    {
        var x = new float[(int)(seconds * sampleRate)];
        double f0 = 440.0 * Math.Pow(2, (midi - 69) / 12.0);
        for (int k = 1; k <= 6; k++)
        {
            double f = f0 * k * Math.Sqrt(1 + 0.0004 * k * k);
            if (f >= sampleRate / 2.0) break;
            for (int i = (int)(onset * sampleRate); i < x.Length; i++)
            {
                double t = i / (double)sampleRate - onset;
                x[i] += (float)(0.3 / k * Math.Exp(-t * (1.5 + k)) * Math.Sin(2 * Math.PI * f * t));
            }
        }
        return x;
    }

    /// <summary>Writes a few two-note WAV files (22.05 kHz) plus non-audio files into <paramref name="folder"/> (nested).</summary>
    public static void WriteCorpus(string folder, int files = 3, double seconds = 1.5)
    {
        const int rate = 22050;
        Directory.CreateDirectory(Path.Combine(folder, "nested"));
        for (int f = 0; f < files; f++)
        {
            var a = Note(48 + 7 * f, seconds, rate);
            var b = Note(60 + 5 * f, seconds, rate, onset: seconds / 3);
            for (int i = 0; i < a.Length; i++) a[i] += b[i];
            string dir = f % 2 == 0 ? folder : Path.Combine(folder, "nested");
            WavWriter.WriteMono(Path.Combine(dir, $"piece{f}.wav"), a, rate);
        }
        File.WriteAllText(Path.Combine(folder, "README.txt"), "not audio");
        File.WriteAllBytes(Path.Combine(folder, "nested", "take.flac"), [0x66, 0x4C, 0x61, 0x43, 0, 0, 0, 0]);
    }
}
