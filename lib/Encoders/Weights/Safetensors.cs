namespace PianoJudges.Encoders.Weights;

using PianoJudges.Data;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// safetensors files as TorchSharp tensors. The format itself (header parsing, checks, header writing) is
/// <see cref="SafeTensorsFile"/>'s, shared with the embedding cache; this class streams the data into tensors
/// and reports problems as <see cref="CheckpointFormatException"/>s naming the file.
/// </summary>
public static class Safetensors
{
    /// <summary>Reads every tensor of a safetensors file onto the CPU, keeping its stored dtype.</summary>
    public static StateDict Load(string path) => Load(path, out _);

    /// <summary>Reads every tensor and the header's free-text metadata.</summary>
    public static StateDict Load(string path, out IReadOnlyDictionary<string, string> metadata)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var header = ReadHeader(path, fs);
        metadata = header.Metadata;
        var result = new StateDict(path);
        try
        {
            byte[] buffer = [];
            foreach (var e in header.Tensors.OrderBy(e => e.Begin))
            {
                if (e.ByteLength > int.MaxValue)
                    throw new CheckpointFormatException(path, $"tensor '{e.Name}' is {e.ByteLength} bytes, larger than this reader supports (2 GiB per tensor)");
                if (buffer.Length < e.ByteLength) buffer = new byte[e.ByteLength];
                fs.Position = header.DataStart + e.Begin;
                fs.ReadExactly(buffer, 0, (int)e.ByteLength);
                result.Add(e.Name, DTypes.FromBytes(buffer.AsSpan(0, (int)e.ByteLength), DTypes.FromSafetensors(path, e.DType), e.Shape));
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
        return ReadHeader(path, fs).Tensors.Select(e => (e.Name, DTypes.FromSafetensors(path, e.DType), e.Shape)).ToList();
    }

    /// <summary>Writes tensors (any device, any layout) atomically; keys keep their given order.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var entries = list.Select(kv => (kv.Key, DTypes.ToSafetensors(kv.Value.dtype), kv.Value.shape)).ToList();
        AtomicFile.Write(path, s =>
        {
            SafeTensorsFile.WriteHeader(s, entries, metadata);
            foreach (var (_, t) in list)
            {
                using var cpu = t.detach().cpu().contiguous();
                if (cpu.numel() > 0) s.Write(cpu.bytes);
            }
        });
    }

    private static SafeTensorsHeader ReadHeader(string path, Stream stream)
    {
        try { return SafeTensorsFile.ReadHeader(stream); }
        catch (InvalidDataException e) { throw new CheckpointFormatException(path, e.Message, e); }
    }
}
