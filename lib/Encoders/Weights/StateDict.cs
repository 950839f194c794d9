namespace PianoJudges.Encoders.Weights;

using System.Collections;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// A checkpoint's named tensors (the PyTorch state_dict), read from one file. Owns its tensors:
/// dispose it once they have been copied into a module.
/// </summary>
public sealed class StateDict : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public StateDict(string source) => Source = source;

    /// <summary>The file the tensors came from (quoted in every error).</summary>
    public string Source { get; }

    /// <summary>Adds a tensor; the StateDict takes ownership of it.</summary>
    public void Add(string key, Tensor tensor)
    {
        if (!_tensors.TryAdd(key, tensor))
            throw new CheckpointFormatException(Source, $"the key '{key}' occurs twice");
        _order.Add(key);
    }

    public Tensor this[string key] => _tensors.TryGetValue(key, out var t)
        ? t
        : throw new KeyNotFoundException($"{Source}: no tensor named '{key}'");

    public IEnumerable<string> Keys => _order;
    public IEnumerable<Tensor> Values => _order.Select(k => _tensors[k]);
    public int Count => _order.Count;
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor value) => _tensors.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _order.Select(k => new KeyValuePair<string, Tensor>(k, _tensors[k])).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The tensors whose keys start with <paramref name="prefix"/>, with the prefix removed (a view: the tensors stay owned by this StateDict).</summary>
    public IReadOnlyDictionary<string, Tensor> WithoutPrefix(string prefix) =>
        _order.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
              .ToDictionary(k => k[prefix.Length..], k => _tensors[k], StringComparer.Ordinal);

    /// <summary>
    /// Reads a checkpoint by its content, not its name: a zip archive is a PyTorch state dict
    /// (.bin/.pth/.pth.tar, read by the restricted unpickler); anything else must be safetensors.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="entry">For PyTorch files holding more than a state dict (e.g. {"model": ..., "epoch": ...}), the dotted key of the state dict; null picks it automatically.</param>
    public static StateDict Load(string path, string? entry = null)
    {
        if (Directory.Exists(path))
            throw new CheckpointFormatException(path, "is a folder; give a checkpoint file (.safetensors, .bin, .pth, .pth.tar)");
        if (!File.Exists(path))
            throw new FileNotFoundException($"checkpoint not found: {path}", path);
        Span<byte> magic = stackalloc byte[4];
        using (var fs = File.OpenRead(path))
        {
            if (fs.Length < 8) throw new CheckpointFormatException(path, $"is {fs.Length} bytes long, too short to be a checkpoint");
            fs.ReadExactly(magic);
        }
        if (magic[0] == (byte)'P' && magic[1] == (byte)'K')
            return TorchCheckpoint.LoadStateDict(path, entry);
        if (magic[0] == 0x80)
            throw new CheckpointFormatException(path, "is a legacy (pre-1.6, non-zip) PyTorch file, which is not supported; re-save it with torch.save in PyTorch >= 1.6 or convert it to safetensors");
        return Safetensors.Load(path);
    }

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
        _order.Clear();
    }
}

/// <summary>A checkpoint file that cannot be read: names the file and what is wrong.</summary>
public class CheckpointFormatException : Exception
{
    public CheckpointFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner) => Path = path;

    public string Path { get; }
}

/// <summary>A pickle that asks for a Python global outside the allow-list; nothing was executed.</summary>
public sealed class UnsafeCheckpointException : CheckpointFormatException
{
    public UnsafeCheckpointException(string path, string global)
        : base(path, $"refused to load: the pickle references the Python global '{global}', which is not on the allow-list " +
                     "of tensor-rebuilding functions (nothing was executed). If this file should be trusted, convert it to safetensors.")
        => Global = global;

    public string Global { get; }
}

/// <summary>Maps between safetensors / PyTorch dtype names and TorchSharp scalar types.</summary>
internal static class DTypes
{
    public static ScalarType FromSafetensors(string path, string name) => name switch
    {
        "F64" => ScalarType.Float64,
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new CheckpointFormatException(path, $"unsupported safetensors dtype '{name}' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)"),
    };

    public static string ToSafetensors(ScalarType t) => t switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentException($"dtype {t} cannot be written to safetensors"),
    };

    public static int Size(ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new ArgumentException($"unsupported dtype {t}"),
    };

    /// <summary>PyTorch storage class name (torch.FloatStorage ...) to dtype; null when not a storage type.</summary>
    public static ScalarType? FromStorageName(string name) => name switch
    {
        "DoubleStorage" => ScalarType.Float64,
        "FloatStorage" => ScalarType.Float32,
        "HalfStorage" => ScalarType.Float16,
        "BFloat16Storage" => ScalarType.BFloat16,
        "LongStorage" => ScalarType.Int64,
        "IntStorage" => ScalarType.Int32,
        "ShortStorage" => ScalarType.Int16,
        "CharStorage" => ScalarType.Int8,
        "ByteStorage" => ScalarType.Byte,
        "BoolStorage" => ScalarType.Bool,
        _ => null,
    };

    /// <summary>A new CPU tensor of the given shape whose bytes are <paramref name="data"/> (little-endian).</summary>
    public static Tensor FromBytes(ReadOnlySpan<byte> data, ScalarType dtype, long[] shape)
    {
        var t = torch.empty(shape, dtype);
        if (data.Length > 0) data.CopyTo(t.bytes); // bytes is a view of the CPU tensor's memory
        return t;
    }
}
