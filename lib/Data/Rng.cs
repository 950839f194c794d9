namespace PianoJudges.Data;

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014):
/// the same seed gives the same sequence on every .NET version and platform, unlike System.Random,
/// whose seeded algorithm is an implementation detail. Used for every split and sample in lib/Data.
/// Not for cryptography.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, <paramref name="exclusiveMax"/>), without modulo bias (rejection sampling).</summary>
    public int NextInt(int exclusiveMax)
    {
        if (exclusiveMax <= 0) throw new ArgumentOutOfRangeException(nameof(exclusiveMax), exclusiveMax, "must be positive");
        ulong n = (ulong)exclusiveMax;
        ulong limit = ulong.MaxValue - ulong.MaxValue % n;
        ulong x;
        do x = NextUInt64(); while (x >= limit);
        return (int)(x % n);
    }

    /// <summary>Uniform double in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fisher–Yates shuffle in place (Durstenfeld's form, from the end).</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A uniform sample of <paramref name="count"/> distinct items, in the order drawn (partial Fisher–Yates on a copy).</summary>
    public List<T> Sample<T>(IReadOnlyList<T> items, int count)
    {
        if (count < 0 || count > items.Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"must be between 0 and {items.Count}");
        var pool = items.ToList();
        for (int i = 0; i < count; i++)
        {
            int j = i + NextInt(pool.Count - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool.GetRange(0, count);
    }
}
