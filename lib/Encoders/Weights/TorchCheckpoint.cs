namespace PianoJudges.Encoders.Weights;

using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// PyTorch's zip checkpoint format (torch.save since 1.6: .bin, .pth, .pth.tar): a zip archive
/// holding &lt;name&gt;/data.pkl (the object graph, pickled) and &lt;name&gt;/data/&lt;key&gt; (raw
/// little-endian storages). The pickle is read by <see cref="RestrictedUnpickler"/>: only the
/// globals that rebuild tensors and plain containers are admitted, so no code runs.
/// </summary>
public static class TorchCheckpoint
{
    /// <summary>Keys under which training checkpoints commonly nest the model's state dict.</summary>
    public static readonly IReadOnlyList<string> CommonStateDictEntries = ["state_dict", "model", "model_state_dict", "module", "net"];

    /// <summary>
    /// Reads the state dict of a PyTorch checkpoint onto the CPU.
    /// </summary>
    /// <param name="path">The .bin/.pth/.pth.tar file.</param>
    /// <param name="entry">Dotted key of the state dict inside the top-level object (e.g. "model" or "state_dict");
    /// null: the top level itself if it maps names to tensors, else the one of <see cref="CommonStateDictEntries"/> that does.</param>
    /// <param name="inertClasses">Data-only Python classes to admit as inert values (e.g. "argparse.Namespace" in a training checkpoint); none by default.</param>
    public static StateDict LoadStateDict(string path, string? entry = null, IEnumerable<string>? inertClasses = null)
    {
        var created = new List<Tensor>();
        try
        {
            object? root = LoadObject(path, created, inertClasses);
            var dict = FindStateDict(path, root, entry);
            var result = new StateDict(path);
            var kept = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
            foreach (var (k, v) in dict)
            {
                if (k is not string name)
                    throw new CheckpointFormatException(path, $"the state dict has a non-text key {k}");
                switch (v)
                {
                    case Tensor t:
                        result.Add(name, t);
                        kept.Add(t);
                        break;
                    case null or long or double or bool or string:
                        break; // e.g. BatchNorm's num_batches_tracked saved as a number by some exporters
                    default:
                        throw new CheckpointFormatException(path, $"state dict entry '{name}' is a {Describe(v)}, not a tensor");
                }
            }
            foreach (var t in created) if (!kept.Contains(t)) t.Dispose();
            return result;
        }
        catch
        {
            foreach (var t in created) t.Dispose();
            throw;
        }
    }

    /// <summary>The whole unpickled object graph (dicts, lists, tuples, numbers, strings, tensors); the caller disposes the tensors it returns in <paramref name="tensors"/>.</summary>
    public static object? LoadObject(string path, List<Tensor> tensors, IEnumerable<string>? inertClasses = null)
    {
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw new CheckpointFormatException(path, "is not a valid zip archive (a PyTorch checkpoint saved by torch.save >= 1.6 is one)", e); }
        using (zip)
        {
            var pkl = zip.Entries.Where(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)).ToList();
            if (pkl.Count != 1)
                throw new CheckpointFormatException(path, pkl.Count == 0
                    ? "is a zip archive without data.pkl, so not a PyTorch checkpoint"
                    : $"holds {pkl.Count} data.pkl entries; expected one");
            string prefix = pkl[0].FullName[..^"data.pkl".Length];
            var order = zip.GetEntry(prefix + "byteorder");
            if (order is not null)
            {
                using var r = new StreamReader(order.Open());
                string bo = r.ReadToEnd().Trim();
                if (bo != "little") throw new CheckpointFormatException(path, $"stores tensors in '{bo}' byte order; only little-endian is supported");
            }

            var storages = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            object? PersistentLoad(object? pid)
            {
                if (pid is not PickleTuple { Count: 5 } t || t[0] is not "storage" || t[1] is not PickleGlobal type || t[2] is not string key || t[4] is not long numel)
                    throw new CheckpointFormatException(path, $"unexpected persistent id {Describe(pid)}; expected ('storage', type, key, location, numel)");
                var dtype = DTypes.FromStorageName(type.Name)
                    ?? throw new CheckpointFormatException(path, $"unsupported storage type {type.FullName}");
                if (storages.TryGetValue(key, out var existing)) return existing;
                var zentry = zip.GetEntry(prefix + "data/" + key)
                    ?? throw new CheckpointFormatException(path, $"storage '{key}' is missing from the archive");
                if (numel < 0 || numel > int.MaxValue)
                    throw new CheckpointFormatException(path, $"storage '{key}' declares {numel} elements, which no checkpoint this reader supports holds (0 to 2^31-1)");
                long bytes = numel * DTypes.Size(dtype);
                if (zentry.Length != bytes)
                    throw new CheckpointFormatException(path, $"storage '{key}' holds {zentry.Length} bytes; {numel} x {dtype} needs {bytes}");
                if (bytes > int.MaxValue)
                    throw new CheckpointFormatException(path, $"storage '{key}' is {bytes} bytes, larger than this reader supports (2 GiB)");
                var buffer = new byte[bytes];
                using (var s = zentry.Open()) s.ReadExactly(buffer);
                var storage = DTypes.FromBytes(buffer, dtype, [numel]);
                tensors.Add(storage);
                storages[key] = storage;
                return storage;
            }

            Tensor Rebuild(PickleTuple a)
            {
                if (a.Count < 4 || a[0] is not Tensor storage || a[1] is not long offset || a[2] is not PickleTuple size || a[3] is not PickleTuple stride)
                    throw new CheckpointFormatException(path, "torch._utils._rebuild_tensor_v2 called with unexpected arguments");
                long[] shape = size.Items.Select(AsLong).ToArray();
                long[] strides = stride.Items.Select(AsLong).ToArray();
                CheckView(shape, strides, offset, storage.numel());
                var t = storage.as_strided(shape, strides, offset);
                tensors.Add(t);
                return t;
            }
            // libtorch checks this too, but its error is a native exception with a C++ backtrace
            void CheckView(long[] shape, long[] strides, long offset, long storageElements)
            {
                string view = $"size ({string.Join(", ", shape)}), stride ({string.Join(", ", strides)}) and offset {offset}";
                if (shape.Length != strides.Length || shape.Any(d => d < 0) || strides.Any(d => d < 0) || offset < 0)
                    throw new CheckpointFormatException(path, $"a tensor has an impossible {view}");
                if (shape.Contains(0)) return;
                long last = offset;
                try { checked { for (int i = 0; i < shape.Length; i++) last += (shape[i] - 1) * strides[i]; } }
                catch (OverflowException) { last = long.MaxValue; }
                if (last >= storageElements)
                    throw new CheckpointFormatException(path, $"a tensor of {view} reaches element {last}, beyond its storage of {storageElements} elements");
            }
            long AsLong(object? o) => o is long l ? l : throw new CheckpointFormatException(path, $"tensor size/stride entry {Describe(o)} is not an integer");
            Tensor ParameterData(PickleTuple a) => a.Count >= 1 && a[0] is Tensor t ? t
                : throw new CheckpointFormatException(path, "torch._utils._rebuild_parameter called without a tensor");

            var globals = new Dictionary<string, RestrictedUnpickler.Reducer>(RestrictedUnpickler.DataGlobals(path))
            {
                ["torch._utils._rebuild_tensor_v2"] = Rebuild,
                ["torch._utils._rebuild_parameter"] = ParameterData,
                ["torch._utils._rebuild_parameter_with_state"] = ParameterData,
            };
            foreach (var name in new[] { "DoubleStorage", "FloatStorage", "HalfStorage", "BFloat16Storage", "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage" })
                globals["torch." + name] = _ => throw new CheckpointFormatException(path, $"torch.{name} may only name a storage type, not be called");

            byte[] data;
            using (var s = pkl[0].Open())
            using (var ms = new MemoryStream())
            {
                s.CopyTo(ms);
                data = ms.ToArray();
            }
            var root = new RestrictedUnpickler(path, globals, inertClasses, PersistentLoad).Load(data);
            // Views keep their storage alive natively; the storage handles themselves are not returned.
            foreach (var st in storages.Values)
            {
                tensors.Remove(st);
                st.Dispose();
            }
            return root;
        }
    }

    private static PickleDict FindStateDict(string path, object? root, string? entry)
    {
        if (entry is not null)
        {
            object? node = root;
            foreach (var part in entry.Split('.'))
            {
                if (node is not PickleDict d || !d.TryGetValue(part, out node))
                    throw new CheckpointFormatException(path, $"has no entry '{entry}' (top-level keys: {Keys(root)})");
            }
            return node as PickleDict ?? throw new CheckpointFormatException(path, $"entry '{entry}' is a {Describe(node)}, not a state dict");
        }
        if (root is not PickleDict top)
            throw new CheckpointFormatException(path, $"holds a {Describe(root)}, not a state dict");
        if (top.Values.Any(v => v is Tensor)) return top;
        foreach (var name in CommonStateDictEntries)
            if (top.TryGetValue(name, out var inner) && inner is PickleDict d && d.Values.Any(v => v is Tensor))
                return d;
        throw new CheckpointFormatException(path, $"holds no state dict at the top level or under {string.Join("/", CommonStateDictEntries)} (top-level keys: {Keys(root)}); name the entry explicitly");
    }

    private static string Keys(object? o) => o is PickleDict d ? string.Join(", ", d.Keys.Take(20)) : "none";

    private static string Describe(object? o) => o switch
    {
        null => "None",
        PickleDict => "dict",
        PickleTuple t => $"tuple of {t.Count}",
        List<object?> l => $"list of {l.Count}",
        PickleObject p => p.Class,
        _ => o.GetType().Name,
    };
}
