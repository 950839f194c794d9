namespace PianoJudges.Synthesis;

using PianoJudges.Data;

/// <summary>
/// Deterministic random numbers for PLD-synth: named, independent streams over the project's one generator,
/// <see cref="SplitMix64"/>, so that a seed gives the same dataset on every .NET version and platform.
/// Integers come from <see cref="SplitMix64.NextIntMultiplyShift"/> (the datasets were generated that way).
/// </summary>
public sealed class SynthRng
{
    private readonly SplitMix64 _core;

    public SynthRng(ulong seed) => _core = new SplitMix64(seed);

    /// <summary>An independent stream for one named item (e.g. "expertise", 17): generating items in any order, or only some of them, gives the same result.</summary>
    public static SynthRng For(ulong seed, string stream, long index = 0)
    {
        ulong h = SplitMix64.Mix(seed ^ SplitMix64.Gamma);
        foreach (char c in stream) h = SplitMix64.Mix(h ^ c);
        h = SplitMix64.Mix(h ^ (ulong)index);
        return new SynthRng(h);
    }

    /// <summary>A child stream derived from this one (advances this one by one step).</summary>
    public SynthRng Fork(string stream) => For(NextULong(), stream);

    public ulong NextULong() => _core.NextUInt64();

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => _core.NextDouble();

    public double Uniform(double lo, double hi) => _core.Uniform(lo, hi);

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n) => _core.NextIntMultiplyShift(n);

    /// <summary>Uniform integer in [lo, hi] (both inclusive).</summary>
    public int Between(int lo, int hi) => lo + Next(hi - lo + 1);

    public bool Chance(double p) => _core.Chance(p);

    /// <summary>Standard normal (Box-Muller; one value per call for simplicity of replay).</summary>
    public double Gaussian() => _core.Gaussian();

    public double Gaussian(double mean, double sd) => _core.Gaussian(mean, sd);

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Index drawn with probability proportional to <paramref name="weights"/>.</summary>
    public int Weighted(IReadOnlyList<double> weights) => _core.Weighted(weights);

    public void Shuffle<T>(IList<T> items) => SplitMix64.Shuffle(items, Next);
}
