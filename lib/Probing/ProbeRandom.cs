namespace PianoJudges.Probing;

using PianoJudges.Data;

/// <summary>
/// Seed derivation for the probes over the project's one generator, <see cref="SplitMix64"/>, so that shuffles,
/// splits and pairings are the same on every .NET version. Integers come from
/// <see cref="SplitMix64.NextIntModulo"/> (bias below 2^-32 for the sizes we shuffle).
/// </summary>
public sealed class ProbeRandom(ulong seed)
{
    private readonly SplitMix64 _core = new(seed);

    /// <summary>A generator for a purpose derived from a seed and further integers (epoch, level …).</summary>
    public static ProbeRandom Derive(long seed, params long[] parts)
    {
        ulong s = (ulong)seed ^ 0x5851F42D4C957F2DUL;
        foreach (long p in parts) s = SplitMix64.Mix(s + SplitMix64.Gamma * ((ulong)p + 1));
        return new ProbeRandom(s);
    }

    public ulong NextUInt64() => _core.NextUInt64();

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n) => _core.NextIntModulo(n);

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items) => SplitMix64.Shuffle(items, Next);

    public int[] Permutation(int n)
    {
        int[] p = Enumerable.Range(0, n).ToArray();
        Shuffle(p);
        return p;
    }
}
