namespace PianoJudges.Encoders.Weights;

using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>What <see cref="StateDictLoader.LoadInto"/> did.</summary>
/// <param name="Loaded">Module keys that received a tensor.</param>
/// <param name="Missing">Module keys the checkpoint has no tensor for (left as they were).</param>
/// <param name="Unexpected">Checkpoint keys the module has no parameter or buffer for (ignored).</param>
public sealed record LoadReport(IReadOnlyList<string> Loaded, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected);

/// <summary>The checkpoint and the module disagree: every missing key, unexpected key and shape mismatch, named.</summary>
public sealed class StateDictMismatchException(string message, LoadReport report, IReadOnlyList<string> shapeMismatches) : Exception(message)
{
    public LoadReport Report { get; } = report;
    public IReadOnlyList<string> ShapeMismatches { get; } = shapeMismatches;
}

/// <summary>
/// Copies a checkpoint into a module by name: module attribute paths are the checkpoint keys
/// (as in Hugging Face and PyTorch), so loading is a name match, not a translation table.
/// </summary>
public static class StateDictLoader
{
    private static readonly Regex Parametrized = new(@"^(?<m>.*)\.parametrizations\.(?<p>[A-Za-z_]\w*)\.original(?<i>[01])$", RegexOptions.CultureInvariant);
    private static readonly Regex Legacy = new(@"^(?<m>.*)\.(?<p>[A-Za-z_]\w*)_(?<s>[gv])$", RegexOptions.CultureInvariant);

    /// <summary>
    /// Copies every tensor of <paramref name="stateDict"/> into the parameter or buffer of the same name
    /// (converting dtype and device), without recording gradients.
    /// Weight-normalised parameters are matched in either spelling: <c>x.weight_g</c>/<c>x.weight_v</c>
    /// (torch.nn.utils.weight_norm) and <c>x.parametrizations.weight.original0</c>/<c>original1</c>
    /// (torch.nn.utils.parametrizations.weight_norm).
    /// </summary>
    /// <param name="module">The module; its state_dict() keys are the names.</param>
    /// <param name="stateDict">Checkpoint tensors (a <see cref="StateDict"/> or a view of one).</param>
    /// <param name="strict">When true, any missing or unexpected key fails; shape mismatches fail always.</param>
    /// <param name="source">File name for errors (defaults to the StateDict's source).</param>
    /// <param name="optional">Module keys that may be absent from the checkpoint even when strict (e.g. training-only parameters).</param>
    /// <exception cref="StateDictMismatchException">Lists every missing key, unexpected key and shape mismatch at once.</exception>
    public static LoadReport LoadInto(nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true, string? source = null, IReadOnlyCollection<string>? optional = null)
    {
        source ??= (stateDict as StateDict)?.Source ?? "checkpoint";
        var target = module.state_dict();
        var pairs = new List<(string ModuleKey, string CheckpointKey)>();
        var unexpected = new List<string>();
        var matched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in stateDict.Keys)
        {
            string? mk = target.ContainsKey(key) ? key : Alternate(key) is { } alt && target.ContainsKey(alt) ? alt : null;
            if (mk is null || !matched.Add(mk)) unexpected.Add(key);
            else pairs.Add((mk, key));
        }
        var missing = target.Keys.Where(k => !matched.Contains(k) && optional?.Contains(k) != true).ToList();
        var mismatches = new List<string>();
        foreach (var (mk, ck) in pairs)
        {
            var want = target[mk].shape;
            var got = stateDict[ck].shape;
            if (!want.SequenceEqual(got))
                mismatches.Add($"{ck}: checkpoint [{string.Join(", ", got)}], module [{string.Join(", ", want)}]");
        }
        var report = new LoadReport(pairs.Select(p => p.ModuleKey).ToList(), missing, unexpected);
        if (mismatches.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
            throw new StateDictMismatchException(Describe(source, module, report, mismatches, strict), report, mismatches);

        using (torch.no_grad())
        {
            foreach (var (mk, ck) in pairs)
                target[mk].copy_(stateDict[ck]);
        }
        return report;
    }

    /// <summary>The other spelling of a weight-normalised parameter key, or null.</summary>
    public static string? Alternate(string key)
    {
        var m = Parametrized.Match(key);
        if (m.Success) return $"{m.Groups["m"].Value}.{m.Groups["p"].Value}_{(m.Groups["i"].Value == "0" ? "g" : "v")}";
        m = Legacy.Match(key);
        if (m.Success) return $"{m.Groups["m"].Value}.parametrizations.{m.Groups["p"].Value}.original{(m.Groups["s"].Value == "g" ? "0" : "1")}";
        return null;
    }

    private static string Describe(string source, nn.Module module, LoadReport r, List<string> mismatches, bool strict)
    {
        const int Show = 25;
        var sb = new StringBuilder($"{source} does not match {module.GetName()}");
        void Section(string title, IReadOnlyList<string> items)
        {
            if (items.Count == 0) return;
            sb.Append($"; {items.Count} {title}: ").Append(string.Join(", ", items.Take(Show)));
            if (items.Count > Show) sb.Append($", ... ({items.Count - Show} more)");
        }
        Section("shape mismatches", mismatches);
        if (strict)
        {
            Section("missing keys (in the module, not in the checkpoint)", r.Missing);
            Section("unexpected keys (in the checkpoint, not in the module)", r.Unexpected);
        }
        return sb.ToString();
    }
}
