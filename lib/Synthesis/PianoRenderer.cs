namespace PianoJudges.Synthesis;

using System.Numerics.Tensors;

/// <summary>
/// Renders a performance with the Salamander samples: each note is its velocity layer's recording (pitch-shifted
/// where needed), held while the key or the sustain pedal is down, then damped by a short exponential fade as the
/// damper falls (keys above <see cref="HighestDampedKey"/> have no dampers, as on a real grand). The result then
/// passes through the <see cref="RecordingConditions"/>.
/// </summary>
public static class PianoRenderer
{
    /// <summary>The top ~1.5 octaves of a grand have no dampers: those strings ring out.</summary>
    public const int HighestDampedKey = 89;
    /// <summary>Overall gain before the recording chain normalises the level (keeps dense chords from overflowing floats' useful range).</summary>
    private const float MixGain = 0.5f;

    /// <summary>The dry piano (no room, no microphone) of <paramref name="seconds"/> seconds at the samples' rate.</summary>
    public static float[] RenderDry(Performance performance, SalamanderSamples samples, double seconds)
    {
        int sr = samples.SampleRate;
        int length = (int)Math.Round(seconds * sr);
        var output = new float[length];
        var notes = performance.Notes;
        // The next strike of the same key stops the previous one (the hammer re-strikes one set of strings).
        var nextSameKey = new double[notes.Count];
        var lastIndex = new Dictionary<int, int>();
        for (int i = notes.Count - 1; i >= 0; i--)
        {
            nextSameKey[i] = lastIndex.TryGetValue(notes[i].Pitch, out int j) ? notes[j].Onset : double.PositiveInfinity;
            lastIndex[notes[i].Pitch] = i;
        }
        for (int i = 0; i < notes.Count; i++)
        {
            var n = notes[i];
            int start = (int)Math.Round(n.Onset * sr);
            if (start >= length) continue;
            var (layer, gain) = samples.LayerFor(n.Velocity);
            var sample = samples.Note(n.Pitch, layer);
            double release = n.Pitch > HighestDampedKey ? double.PositiveInfinity : DamperFalls(n.Offset, performance.Pedal);
            release = Math.Min(release, nextSameKey[i] + 0.005);
            // Bass strings are damped more slowly than treble strings.
            double tau = n.Pitch < 48 ? 0.12 : n.Pitch < 72 ? 0.07 : 0.045;
            int releaseAt = double.IsPositiveInfinity(release) ? int.MaxValue : (int)Math.Round(release * sr) - start;
            int fadeLength = (int)(tau * 7 * sr); // 7 time constants: -60 dB
            int end = Math.Min(sample.Length, Math.Min(length - start, releaseAt == int.MaxValue ? int.MaxValue : Math.Max(0, releaseAt) + fadeLength));
            int held = Math.Min(end, Math.Max(0, releaseAt));
            float g = gain * MixGain;
            TensorPrimitives.MultiplyAdd(sample.AsSpan(0, held), g, output.AsSpan(start, held), output.AsSpan(start, held));
            double env = 1, k = Math.Exp(-1.0 / (tau * sr));
            for (int s = held; s < end; s++)
            {
                output[start + s] += (float)(sample[s] * g * env);
                env *= k;
            }
        }
        return output;
    }

    /// <summary>The complete recording: dry piano, then room, microphone, recorder and noise; short fades at both ends.</summary>
    public static float[] Render(Performance performance, SalamanderSamples samples, RecordingConditions conditions, double seconds, SynthRng rng)
    {
        var audio = RenderDry(performance, samples, seconds);
        conditions.Apply(audio, samples.SampleRate, rng);
        int fade = Math.Min(audio.Length / 2, samples.SampleRate / 4);
        for (int i = 0; i < fade; i++)
        {
            float w = (float)i / fade;
            audio[audio.Length - 1 - i] *= w;
            if (i < fade / 10) audio[i] *= (float)i / (fade / 10);
        }
        return audio;
    }

    /// <summary>When the damper falls on a key released at <paramref name="keyUp"/>: then, or when the pedal holding it lifts.</summary>
    public static double DamperFalls(double keyUp, IReadOnlyList<PedalSpan> pedal)
    {
        foreach (var span in pedal)
            if (span.Down <= keyUp && keyUp < span.Up) return span.Up;
        return keyUp;
    }
}
