namespace PianoJudges.Encoders.Weights;

using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using PianoJudges.Data;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
/// ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}), then the raw
/// little-endian tensor bytes, offsets relative to the end of the header.
/// </summary>
public static class Safetensors
{
    private const long MaxHeaderBytes = 100L << 20;

    /// <summary>Reads every tensor of a safetensors file onto the CPU, keeping its stored dtype.</summary>
    public static StateDict Load(string path) => Load(path, out _);

    /// <summary>Reads every tensor and the header's free-text metadata.</summary>
    public static StateDict Load(string path, out IReadOnlyDictionary<string, string> metadata)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var entries = ReadHeader(path, fs, out metadata, out long dataStart);
        var result = new StateDict(path);
        try
        {
            byte[] buffer = [];
            foreach (var e in entries.OrderBy(e => e.Begin))
            {
                long length = e.End - e.Begin;
                if (length > int.MaxValue)
                    throw new CheckpointFormatException(path, $"tensor '{e.Name}' is {length} bytes, larger than this reader supports (2 GiB per tensor)");
                if (buffer.Length < length) buffer = new byte[length];
                fs.Position = dataStart + e.Begin;
                fs.ReadExactly(buffer, 0, (int)length);
                result.Add(e.Name, DTypes.FromBytes(buffer.AsSpan(0, (int)length), e.DType, e.Shape));
            }
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>Names, dtypes and shapes without reading tensor data (cheap even for large files).</summary>
    public static IReadOnlyList<(string Name, ScalarType DType, long[] Shape)> ReadIndex(string path)
    {
        using var fs = File.OpenRead(path);
        return ReadHeader(path, fs, out _, out _).Select(e => (e.Name, e.DType, e.Shape)).ToList();
    }

    /// <summary>Writes tensors (any device, any layout) atomically; keys keep their given order.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (name, t) in list)
        {
            if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved in safetensors and cannot name a tensor");
            long bytes = t.numel() * DTypes.Size(t.dtype);
            header[name] = new Dictionary<string, object>
            {
                ["dtype"] = DTypes.ToSafetensors(t.dtype),
                ["shape"] = t.shape,
                ["data_offsets"] = new[] { offset, offset + bytes },
            };
            offset += bytes;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            s.Write(len);
            s.Write(json);
            for (int i = json.Length; i < padded; i++) s.WriteByte((byte)' ');
            foreach (var (_, t) in list)
            {
                using var cpu = t.detach().cpu().contiguous();
                if (cpu.numel() > 0) s.Write(cpu.bytes);
            }
        });
    }

    private sealed record Entry(string Name, ScalarType DType, long[] Shape, long Begin, long End);

    private static List<Entry> ReadHeader(string path, Stream fs, out IReadOnlyDictionary<string, string> metadata, out long dataStart)
    {
        Span<byte> len = stackalloc byte[8];
        if (fs.Length < 8) throw new CheckpointFormatException(path, "is shorter than the 8-byte safetensors header length");
        fs.ReadExactly(len);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (n > (ulong)MaxHeaderBytes || (long)n > fs.Length - 8)
            throw new CheckpointFormatException(path, $"is not a safetensors file: header length {n} does not fit the file ({fs.Length} bytes)");
        var json = new byte[n];
        fs.ReadExactly(json);
        dataStart = 8 + (long)n;
        long dataLength = fs.Length - dataStart;
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        metadata = meta;
        var entries = new List<Entry>();
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new CheckpointFormatException(path, "is not a safetensors file: its header is not valid JSON", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(path, "safetensors header is not a JSON object");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    foreach (var m in prop.Value.EnumerateObject()) meta[m.Name] = m.Value.ToString();
                    continue;
                }
                try
                {
                    var v = prop.Value;
                    var dtype = DTypes.FromSafetensors(path, v.GetProperty("dtype").GetString() ?? "");
                    long[] shape = v.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                    long[] offs = v.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                    if (offs.Length != 2 || offs[0] < 0 || offs[1] < offs[0] || offs[1] > dataLength)
                        throw new CheckpointFormatException(path, $"tensor '{prop.Name}' has data_offsets [{string.Join(", ", offs)}] outside the {dataLength} data bytes");
                    long numel = shape.Aggregate(1L, (a, b) => a * b);
                    if (shape.Any(d => d < 0) || numel * DTypes.Size(dtype) != offs[1] - offs[0])
                        throw new CheckpointFormatException(path, $"tensor '{prop.Name}' has shape [{string.Join(", ", shape)}] ({dtype}) but {offs[1] - offs[0]} bytes");
                    entries.Add(new Entry(prop.Name, dtype, shape, offs[0], offs[1]));
                }
                catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    throw new CheckpointFormatException(path, $"tensor '{prop.Name}' has a malformed header entry: {e.Message}", e);
                }
            }
        }
        return entries;
    }
}
