namespace PianoJudges.Synthesis;

/// <summary>
/// Deterministic random numbers for PLD-synth: SplitMix64 (Steele, Lea &amp; Flood 2014). Our own generator,
/// not System.Random, so that a seed gives the same dataset on every .NET version and platform.
/// </summary>
public sealed class SynthRng
{
    private ulong _state;

    public SynthRng(ulong seed) => _state = seed;

    /// <summary>An independent stream for one named item (e.g. "expertise", 17): generating items in any order, or only some of them, gives the same result.</summary>
    public static SynthRng For(ulong seed, string stream, long index = 0)
    {
        ulong h = Mix(seed ^ 0x9E3779B97F4A7C15UL);
        foreach (char c in stream) h = Mix(h ^ c);
        h = Mix(h ^ (ulong)index);
        return new SynthRng(h);
    }

    /// <summary>A child stream derived from this one (advances this one by one step).</summary>
    public SynthRng Fork(string stream) => For(NextULong(), stream);

    public ulong NextULong()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"n must be positive, got {n}");
        return (int)((NextULong() >> 33) * (ulong)n >> 31);
    }

    /// <summary>Uniform integer in [lo, hi] (both inclusive).</summary>
    public int Between(int lo, int hi) => lo + Next(hi - lo + 1);

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal (Box-Muller; one value per call for simplicity of replay).</summary>
    public double Gaussian()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public double Gaussian(double mean, double sd) => mean + sd * Gaussian();

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Index drawn with probability proportional to <paramref name="weights"/>.</summary>
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

    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
