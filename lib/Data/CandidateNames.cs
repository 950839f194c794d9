namespace PianoJudges.Data;

using System.Globalization;
using System.Text;

/// <summary>How a name was resolved to a registered candidate.</summary>
public enum NameMatchKind
{
    /// <summary>Same tokens after normalisation (diacritics, case, punctuation and token order ignored).</summary>
    Exact,
    /// <summary>Every token of the name is a token (or the initial of one) of exactly one registered name: "G. Chistiakova", "Szuyu Su".</summary>
    Subset,
    /// <summary>Every token of exactly one registered name occurs in the text: titles without a separator ("Honggi Kim Nocturne in C minor").</summary>
    Contained,
    /// <summary>Same number of tokens, at most 2 edits in total, only in tokens of 5+ letters, one candidate only: spelling slips ("Salindianova").</summary>
    Fuzzy,
    /// <summary>No registered candidate fits.</summary>
    None,
}

/// <summary>The outcome of matching one spelling.</summary>
public sealed record NameMatch(string Query, NameMatchKind Kind, string? Key);

/// <summary>
/// Matches the inconsistent spellings of ICPC-2015 candidate names (diacritics dropped, token order,
/// initials, hyphens, typos) to one registered spelling. Each rule accepts only a unique candidate,
/// so near-namesakes (the sisters Galina and Irina Chistiakova, Qi Xu and Zi Xu) are never merged.
/// </summary>
public sealed class CandidateNames
{
    private readonly Dictionary<string, string> _byKey = new(StringComparer.Ordinal);
    private readonly List<(string Key, string[] Tokens)> _entries = [];

    /// <summary>Registers a spelling; returns its key (an existing one when it normalises to a registered name).</summary>
    public string Register(string name)
    {
        string key = Key(name);
        if (key.Length == 0) throw new ArgumentException($"name '{name}' has no letters", nameof(name));
        if (_byKey.TryAdd(key, name)) _entries.Add((key, key.Split(' ')));
        return key;
    }

    public IReadOnlyCollection<string> Keys => _byKey.Keys;

    /// <summary>The first registered spelling of a key.</summary>
    public string Display(string key) => _byKey[key];

    /// <summary>Lower-case ASCII tokens: diacritics stripped (ł, ø, đ, ß folded too), punctuation as spaces.</summary>
    public static string[] Tokens(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c0 in name.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c0) == UnicodeCategory.NonSpacingMark) continue;
            string c = c0 switch
            {
                'ł' or 'Ł' => "l", 'ø' or 'Ø' => "o", 'đ' or 'Đ' => "d", 'ß' => "ss", 'æ' or 'Æ' => "ae", 'œ' or 'Œ' => "oe",
                _ => char.ToLowerInvariant(c0).ToString(),
            };
            foreach (char ch in c) sb.Append(ch is >= 'a' and <= 'z' or >= '0' and <= '9' ? ch : ' ');
        }
        return sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The order-free key of a name: sorted tokens joined by a space.</summary>
    public static string Key(string name) => string.Join(' ', Tokens(name).Order(StringComparer.Ordinal));

    /// <summary>Matches a spelling with the rules of <see cref="NameMatchKind"/>, in that order.</summary>
    public NameMatch Match(string name)
    {
        string[] tokens = Tokens(name);
        string key = string.Join(' ', tokens.Order(StringComparer.Ordinal));
        if (_byKey.ContainsKey(key)) return new(name, NameMatchKind.Exact, key);
        if (tokens.Length >= 2 && Unique(e => IsSubset(tokens, e.Tokens)) is { } s) return new(name, NameMatchKind.Subset, s);
        if (Unique(e => e.Tokens.Length >= 2 && e.Tokens.All(tokens.Contains)) is { } c) return new(name, NameMatchKind.Contained, c);
        if (tokens.Length >= 2 && Unique(e => FuzzyEqual(tokens, e.Tokens)) is { } f) return new(name, NameMatchKind.Fuzzy, f);
        return new(name, NameMatchKind.None, null);
    }

    private string? Unique(Func<(string Key, string[] Tokens), bool> fits)
    {
        string? found = null;
        foreach (var e in _entries)
        {
            if (!fits(e)) continue;
            if (found is not null) return null;
            found = e.Key;
        }
        return found;
    }

    /// <summary>Each query token takes a distinct registered token equal to it, or starting with it when it is a single-letter initial.</summary>
    private static bool IsSubset(string[] query, string[] registered)
    {
        if (query.Length > registered.Length) return false;
        var used = new bool[registered.Length];
        // Whole tokens first, so an initial cannot take a token that a whole word needs.
        foreach (var q in query.OrderByDescending(t => t.Length))
        {
            int i = -1;
            for (int k = 0; k < registered.Length && i < 0; k++)
                if (!used[k] && (registered[k] == q || (q.Length == 1 && registered[k][0] == q[0]))) i = k;
            if (i < 0) return false;
            used[i] = true;
        }
        return true;
    }

    private static bool FuzzyEqual(string[] query, string[] registered)
    {
        if (query.Length != registered.Length || query.Length > 5) return false;
        int best = int.MaxValue;
        foreach (var perm in Permutations(registered.Length))
        {
            int total = 0;
            for (int i = 0; i < query.Length && total <= 2; i++)
            {
                string a = query[i], b = registered[perm[i]];
                if (a == b) continue;
                if (a.Length < 5 || b.Length < 5) { total = int.MaxValue; break; }
                total += Levenshtein(a, b);
            }
            best = Math.Min(best, total);
        }
        return best <= 2;
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0) { yield return []; yield break; }
        foreach (var p in Permutations(n - 1))
            for (int pos = 0; pos <= p.Length; pos++)
            {
                var q = new int[n];
                for (int i = 0, j = 0; i < n; i++) q[i] = i == pos ? n - 1 : p[j++];
                yield return q;
            }
    }

    /// <summary>Edit distance (insertions, deletions, substitutions).</summary>
    public static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
