namespace PianoJudges.Encoders.Mert;

using System.Globalization;

/// <summary>
/// Which of MERT's num_hidden_layers + 1 hidden states becomes the embedding. The paper (and its
/// released code) takes the last hidden state; any single layer or an average over a range of layers
/// is offered for probing studies. Index 0 is the input to the first transformer layer.
/// </summary>
public sealed record MertLayerSelection
{
    private MertLayerSelection(int? from, int? to) => (From, To) = (from, to);

    /// <summary>First layer index (inclusive); null = the last layer.</summary>
    public int? From { get; }
    /// <summary>Last layer index (inclusive); null = the last layer.</summary>
    public int? To { get; }

    /// <summary>The last hidden state (the paper's choice).</summary>
    public static MertLayerSelection Last { get; } = new(null, null);

    /// <summary>Hidden state <paramref name="index"/> (0..num_hidden_layers).</summary>
    public static MertLayerSelection Layer(int index) =>
        index >= 0 ? new(index, index) : throw new ArgumentOutOfRangeException(nameof(index), index, "a layer index is 0 or more");

    /// <summary>The mean of hidden states <paramref name="from"/>..<paramref name="to"/> (inclusive; null = the last layer).</summary>
    public static MertLayerSelection Average(int from = 0, int? to = null) =>
        from >= 0 && (to is null || to >= from) ? new(from, to) : throw new ArgumentOutOfRangeException(nameof(from), $"average over layers {from}..{to?.ToString(CultureInfo.InvariantCulture) ?? "last"} is empty");

    /// <summary>Reads "last", a layer index ("12"), "avg" (all layers) or "avg:FROM-TO".</summary>
    public static MertLayerSelection Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "last") return Last;
        if (t is "avg" or "average") return Average();
        if (t.StartsWith("avg:", StringComparison.Ordinal))
        {
            var parts = t[4..].Split('-');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int a)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int b))
                return Average(a, b);
        }
        else if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int i)) return Layer(i);
        throw new FormatException($"MERT layer '{text}': expected 'last', a layer index (0..24 for MERT-v1-330M), 'avg' or 'avg:FROM-TO'");
    }

    /// <summary>The inclusive range of hidden-state indices for a model with <paramref name="numLayers"/> transformer layers.</summary>
    public (int From, int To) Range(int numLayers)
    {
        int from = From ?? numLayers, to = To ?? numLayers;
        if (to > numLayers || from > to)
            throw new ArgumentOutOfRangeException(nameof(numLayers), $"MERT layer selection {this} is outside 0..{numLayers} for a model of {numLayers} layers");
        return (from, to);
    }

    public override string ToString() => (From, To) switch
    {
        (null, null) => "last",
        ({ } a, { } b) when a == b => a.ToString(CultureInfo.InvariantCulture),
        ({ } a, null) when a == 0 => "avg",
        (var a, var b) => $"avg:{a}-{b?.ToString(CultureInfo.InvariantCulture) ?? "last"}",
    };
}
