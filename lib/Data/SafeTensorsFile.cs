namespace PianoJudges.Data;

using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

/// <summary>One tensor of a safetensors file: its dtype (F32, F16, BF16, U8, I64 …), shape and raw little-endian bytes.</summary>
public sealed record SafeTensor(string DType, long[] Shape, byte[] Data)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public static SafeTensor FromFloats(ReadOnlySpan<float> values, long[] shape, bool float16 = false)
    {
        if (!float16)
            return new SafeTensor("F32", shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(2 * i), (Half)values[i]);
        return new SafeTensor("F16", shape, bytes);
    }

    /// <summary>The values as float32, converting from F16 or BF16.</summary>
    public float[] ToFloats()
    {
        switch (DType)
        {
            case "F32":
                return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Data).ToArray();
            case "F16":
            {
                var result = new float[Data.Length / 2];
                for (int i = 0; i < result.Length; i++) result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(Data.AsSpan(2 * i));
                return result;
            }
            case "BF16":
            {
                var result = new float[Data.Length / 2];
                for (int i = 0; i < result.Length; i++)
                    result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(Data.AsSpan(2 * i)) << 16);
                return result;
            }
            default:
                throw new InvalidDataException($"tensor of dtype {DType} cannot be read as floats");
        }
    }
}

/// <summary>One tensor's header entry: dtype name, shape and byte range [Begin, End) counted from the end of the header.</summary>
public sealed record SafeTensorEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
}

/// <summary>A parsed safetensors header: the tensors in header order, the free-text metadata, and the file offset of the data.</summary>
public sealed record SafeTensorsHeader(IReadOnlyList<SafeTensorEntry> Tensors, IReadOnlyDictionary<string, string> Metadata, long DataStart);

/// <summary>
/// The safetensors format (8-byte little-endian header length N, N bytes of JSON naming each tensor's
/// dtype, shape and byte range, "__metadata__" holding strings, then the raw little-endian data), as written by
/// the Hugging Face library. The one parser and writer of the format: the embedding cache uses the byte-level
/// <see cref="Read"/>/<see cref="Write"/>, the weights loader (PianoJudges.Encoders.Weights.Safetensors) builds
/// TorchSharp tensors from <see cref="ReadHeader"/> and writes through <see cref="WriteHeader"/>.
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>Larger headers are refused as corrupt (the Rust reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100L << 20;

    private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
    };

    /// <summary>The dtype names this reader and writer support.</summary>
    public static IReadOnlyCollection<string> DTypes => ElementSizes.Keys;

    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    /// <exception cref="InvalidDataException">An unsupported dtype, named with the supported ones.</exception>
    public static int ElementSize(string dtype) => ElementSizes.TryGetValue(dtype, out int size)
        ? size
        : throw new InvalidDataException($"unsupported safetensors dtype '{dtype}' (supported: {string.Join(", ", ElementSizes.Keys)})");

    /// <summary>Serialises tensors and optional string metadata into the safetensors layout (tensors in name order).</summary>
    public static byte[] Serialise(IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        foreach (var (name, t) in ordered)
        {
            if (!ElementSizes.TryGetValue(t.DType, out int size)) throw new ArgumentException($"unknown dtype {t.DType} for tensor {name}");
            if (t.ElementCount * size != t.Data.Length)
                throw new ArgumentException($"tensor {name}: {t.Data.Length} bytes do not match shape [{string.Join(",", t.Shape)}] of {t.DType}");
        }
        using var stream = new MemoryStream();
        WriteHeader(stream, ordered.Select(kv => (kv.Key, kv.Value.DType, kv.Value.Shape)).ToList(), metadata);
        foreach (var (_, t) in ordered) stream.Write(t.Data);
        return stream.ToArray();
    }

    public static void Write(string path, IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.WriteAllBytes(path, Serialise(tensors, metadata));

    /// <summary>
    /// Writes the length and JSON header for tensors whose data will follow in the given order, contiguously;
    /// the header is padded with spaces to a multiple of 8 bytes so the data stays aligned.
    /// </summary>
    public static void WriteHeader(Stream stream, IReadOnlyList<(string Name, string DType, long[] Shape)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var (name, dtype, shape) in tensors)
        {
            if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved in safetensors and cannot name a tensor");
            if (header.ContainsKey(name)) throw new ArgumentException($"tensor name '{name}' appears twice");
            long bytes = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(dtype);
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
    }

    /// <summary>
    /// Reads and checks the header at the start of <paramref name="stream"/> (positioned at 0), leaving the data unread:
    /// every tensor's dtype is supported, its shape matches its byte count, and its range lies inside the data.
    /// </summary>
    /// <exception cref="InvalidDataException">What is wrong, naming the tensor; callers add the file name.</exception>
    public static SafeTensorsHeader ReadHeader(Stream stream)
    {
        long fileLength = stream.Length;
        if (fileLength < 8) throw new InvalidDataException($"only {fileLength} bytes, shorter than the 8-byte safetensors header length");
        Span<byte> len = stackalloc byte[8];
        stream.ReadExactly(len);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (n > (ulong)MaxHeaderBytes || (long)n > fileLength - 8)
            throw new InvalidDataException($"not a safetensors file: header length {n} does not fit the file ({fileLength} bytes): truncated?");
        var json = new byte[n];
        stream.ReadExactly(json);
        long dataStart = 8 + (long)n, dataLength = fileLength - dataStart;
        List<KeyValuePair<string, JsonNode?>> header;
        try
        {
            var root = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException("the safetensors header is null");
            RejectRepeatedNames(root);
            header = root.ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"not a safetensors file: its header is not a JSON object ({e.Message})", e);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"the safetensors header names an entry twice ({e.Message})", e);
        }
        var tensors = new List<SafeTensorEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            try
            {
                if (name == "__metadata__")
                {
                    foreach (var (k, v) in node!.AsObject()) metadata[k] = v?.GetValue<string>() ?? "";
                    continue;
                }
                var o = node!.AsObject();
                string dtype = o["dtype"]!.GetValue<string>();
                int size = ElementSize(dtype);
                long[] shape = o["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
                long[] offsets = o["data_offsets"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
                    throw new InvalidDataException($"tensor '{name}' has data_offsets [{string.Join(", ", offsets)}] outside the {dataLength} data bytes: truncated?");
                if (shape.Any(d => d < 0) || ByteCount(shape, size) is not { } bytes || bytes != offsets[1] - offsets[0])
                    throw new InvalidDataException($"tensor '{name}' has shape [{string.Join(", ", shape)}] ({dtype}) but {offsets[1] - offsets[0]} bytes");
                tensors.Add(new SafeTensorEntry(name, dtype, shape, offsets[0], offsets[1]));
            }
            catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or OverflowException)
            {
                throw new InvalidDataException($"tensor '{name}' has a malformed header entry: {e.Message}", e);
            }
        }
        return new SafeTensorsHeader(tensors, metadata, dataStart);
    }

    /// <summary>Enumerates every object of the header, which is when System.Text.Json notices a name given twice (an ArgumentException).</summary>
    private static void RejectRepeatedNames(JsonNode? node)
    {
        if (node is JsonObject o) foreach (var (_, v) in o) RejectRepeatedNames(v);
        else if (node is JsonArray a) foreach (var v in a) RejectRepeatedNames(v);
    }

    /// <summary>The bytes of a tensor of non-negative <paramref name="shape"/>, or null when they overflow a long (a
    /// forged shape whose product wraps around to the byte count of its data range).</summary>
    private static long? ByteCount(long[] shape, int elementSize)
    {
        long n = elementSize;
        foreach (long d in shape)
            if (d != 0 && n > long.MaxValue / d) return shape.Contains(0) ? 0 : null;
            else n *= d;
        return n;
    }

    /// <summary>Reads every tensor and the metadata; a truncated or malformed file is an InvalidDataException naming it.</summary>
    public static (Dictionary<string, SafeTensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try { return Parse(bytes); }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: not a valid safetensors file ({e.Message})", e);
        }
    }

    public static (Dictionary<string, SafeTensor> Tensors, Dictionary<string, string> Metadata) Parse(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        var header = ReadHeader(stream);
        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var e in header.Tensors)
            tensors[e.Name] = new SafeTensor(e.DType, e.Shape, bytes.AsSpan((int)(header.DataStart + e.Begin), (int)e.ByteLength).ToArray());
        return (tensors, new Dictionary<string, string>(header.Metadata, StringComparer.Ordinal));
    }
}
