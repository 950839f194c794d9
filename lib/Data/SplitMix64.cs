namespace PianoJudges.Data;

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the
/// reference code is Vigna's splitmix64.c): the same seed gives the same sequence on every .NET version and
/// platform, unlike System.Random, whose seeded algorithm is an implementation detail. The one generator core of
/// the project: splits and samples (lib/Data), bootstrap (lib/Metrics), PLD-synth (SynthRng) and the probes
/// (ProbeRandom) all draw from it. Not for cryptography.
/// </summary>
/// <remarks>
/// Three ways to turn 64 bits into an integer below n live side by side because each has callers whose seeded
/// results must not move: <see cref="NextInt"/> (exact rejection sampling), <see cref="NextIntMultiplyShift"/>
/// (PLD-synth) and <see cref="NextIntModulo"/> (probe shuffles and pairings).
/// </remarks>
public sealed class SplitMix64(ulong seed)
{
    /// <summary>The Weyl-sequence increment, 2^64 / golden ratio.</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64() => Mix(_state += Gamma);

    /// <summary>The SplitMix64 output function (Stafford's Mix13): a bijective avalanche of 64 bits, also used to derive seeds.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, <paramref name="exclusiveMax"/>), without modulo bias: draws that fall in the short last block of 2^64 are rejected.</summary>
    public int NextInt(int exclusiveMax)
    {
        if (exclusiveMax <= 0) throw new ArgumentOutOfRangeException(nameof(exclusiveMax), exclusiveMax, "must be positive");
        ulong n = (ulong)exclusiveMax;
        ulong limit = ulong.MaxValue - (ulong.MaxValue % n + 1) % n;
        ulong x;
        do x = NextUInt64(); while (x > limit);
        return (int)(x % n);
    }

    /// <summary>Integer in [0, <paramref name="n"/>) as (top 31 bits × n) &gt;&gt; 31: one draw, no division, bias below n / 2^31.</summary>
    public int NextIntMultiplyShift(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"n must be positive, got {n}");
        return (int)((NextUInt64() >> 33) * (ulong)n >> 31);
    }

    /// <summary>Integer in [0, <paramref name="n"/>) as the 64 bits modulo n: one draw, bias below n / 2^64.</summary>
    public int NextIntModulo(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be positive");
        return (int)(NextUInt64() % (ulong)n);
    }

    /// <summary>Uniform double in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal (Box-Muller; one value per call, the second is discarded so that replay is simple).</summary>
    public double Gaussian()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public double Gaussian(double mean, double sd) => mean + sd * Gaussian();

    /// <summary>Index drawn with probability proportional to <paramref name="weights"/> (one draw).</summary>
    public int Weighted(IReadOnlyList<double> weights)
    {
        double total = 0;
        foreach (var w in weights) total += w;
        double r = NextDouble() * total;
        for (int i = 0; i < weights.Count; i++)
        {
            r -= weights[i];
            if (r < 0) return i;
        }
        return weights.Count - 1;
    }

    /// <summary>Fisher–Yates shuffle in place (Durstenfeld's form, from the end), indices from <see cref="NextInt"/>.</summary>
    public void Shuffle<T>(IList<T> items) => Shuffle(items, NextInt);

    /// <summary>Fisher–Yates shuffle in place (from the end), with <paramref name="below"/>(k) giving an index in [0, k).</summary>
    public static void Shuffle<T>(IList<T> items, Func<int, int> below)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = below(i + 1);
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
