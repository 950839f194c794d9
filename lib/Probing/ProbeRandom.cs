namespace PianoJudges.Probing;

/// <summary>
/// SplitMix64: a small RNG of our own so that shuffles, splits and pairings are the same on every .NET version.
/// </summary>
public sealed class ProbeRandom(ulong seed)
{
    private ulong state = seed;

    /// <summary>A generator for a purpose derived from a seed and further integers (epoch, level …).</summary>
    public static ProbeRandom Derive(long seed, params long[] parts)
    {
        ulong s = (ulong)seed ^ 0x5851F42D4C957F2DUL;
        foreach (long p in parts) s = Mix(s + 0x9E3779B97F4A7C15UL * ((ulong)p + 1));
        return new ProbeRandom(s);
    }

    public ulong NextUInt64() => Mix(state += 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be positive");
        return (int)(NextUInt64() % (ulong)n); // bias below 2^-32 for the sizes we shuffle
    }

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    public int[] Permutation(int n)
    {
        int[] p = Enumerable.Range(0, n).ToArray();
        Shuffle(p);
        return p;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
