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

/// <summary>
/// The safetensors format (8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw data), as written by the Hugging Face library.
/// </summary>
public static class SafeTensorsFile
{
    private static readonly Dictionary<string, int> ElementSize = new()
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
    };

    /// <summary>Serialises tensors and optional string metadata into the safetensors layout.</summary>
    public static byte[] Serialise(IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var (name, t) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!ElementSize.TryGetValue(t.DType, out int size)) throw new ArgumentException($"unknown dtype {t.DType} for tensor {name}");
            if (t.ElementCount * size != t.Data.Length)
                throw new ArgumentException($"tensor {name}: {t.Data.Length} bytes do not match shape [{string.Join(",", t.Shape)}] of {t.DType}");
            header[name] = new JsonObject
            {
                ["dtype"] = t.DType,
                ["shape"] = new JsonArray(t.Shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + t.Data.Length),
            };
            offset += t.Data.Length;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8; // the format pads the header with spaces to 8-byte alignment
        var result = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        json.CopyTo(result, 8);
        for (int i = 8 + json.Length; i < 8 + padded; i++) result[i] = (byte)' ';
        long pos = 8 + padded;
        foreach (var (_, t) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            t.Data.CopyTo(result, pos);
            pos += t.Data.Length;
        }
        return result;
    }

    public static void Write(string path, IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.WriteAllBytes(path, Serialise(tensors, metadata));

    /// <summary>Reads every tensor and the metadata; a truncated or malformed file is an InvalidDataException naming it.</summary>
    public static (Dictionary<string, SafeTensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try { return Parse(bytes); }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException or OverflowException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not a valid safetensors file ({e.Message})", e);
        }
    }

    public static (Dictionary<string, SafeTensor> Tensors, Dictionary<string, string> Metadata) Parse(byte[] bytes)
    {
        if (bytes.Length < 8) throw new InvalidDataException($"only {bytes.Length} bytes, shorter than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8)) throw new InvalidDataException($"header length {headerLength} exceeds the file ({bytes.Length} bytes): truncated?");
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength))!.AsObject();
        long dataStart = 8 + (long)headerLength;
        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node!.AsObject()) metadata[k] = v?.GetValue<string>() ?? "";
                continue;
            }
            var o = node!.AsObject();
            string dtype = o["dtype"]!.GetValue<string>();
            long[] shape = o["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
            var offsets = o["data_offsets"]!.AsArray();
            long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
            if (begin < 0 || end < begin || dataStart + end > bytes.Length)
                throw new InvalidDataException($"tensor {name}: byte range [{begin}, {end}) lies outside the file: truncated?");
            if (!ElementSize.TryGetValue(dtype, out int size) || shape.Aggregate(1L, (a, b) => a * b) * size != end - begin)
                throw new InvalidDataException($"tensor {name}: dtype {dtype} and shape [{string.Join(",", shape)}] do not match its {end - begin} bytes");
            tensors[name] = new SafeTensor(dtype, shape, bytes.AsSpan((int)(dataStart + begin), (int)(end - begin)).ToArray());
        }
        return (tensors, metadata);
    }
}
