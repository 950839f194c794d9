namespace PianoJudges.Encoders.Weights;

using System.Buffers.Binary;
using System.Numerics;
using System.Text;

/// <summary>A Python tuple read from a pickle.</summary>
public sealed record PickleTuple(object?[] Items)
{
    public object? this[int i] => Items[i];
    public int Count => Items.Length;
}

/// <summary>A Python global that the allow-list admits (e.g. torch._utils._rebuild_tensor_v2); never resolved to code.</summary>
public sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
    public override string ToString() => FullName;
}

/// <summary>
/// An instance of a data-only class the caller explicitly admitted (e.g. argparse.Namespace in a
/// training checkpoint): kept as inert data (constructor arguments and state), never constructed.
/// </summary>
public sealed record PickleObject(string Class, object? Args, object? State);

/// <summary>
/// A pickle reader that never executes code: it understands the opcodes PyTorch's torch.save
/// emits (protocols 2 to 5) and resolves globals only through an allow-list of handlers. Any other
/// global (os.system, builtins.eval, ...) aborts the read with an <see cref="UnsafeCheckpointException"/>
/// naming the file and the global.
/// </summary>
public sealed class RestrictedUnpickler
{
    /// <summary>Builds a Python value from REDUCE (callable, args): returns the value.</summary>
    public delegate object? Reducer(PickleTuple args);

    private readonly string _path;
    private readonly Dictionary<string, Reducer> _globals;
    private readonly HashSet<string> _inertClasses;
    private readonly Func<object?, object?>? _persistentLoad;

    /// <param name="path">File name quoted in errors.</param>
    /// <param name="globals">Allow-listed globals ("module.name") and how REDUCE builds their value.</param>
    /// <param name="inertClasses">Data-only classes ("argparse.Namespace") the caller admits as <see cref="PickleObject"/>; empty by default.</param>
    /// <param name="persistentLoad">Resolves BINPERSID ids (PyTorch's storages); null refuses them.</param>
    public RestrictedUnpickler(string path, IReadOnlyDictionary<string, Reducer> globals, IEnumerable<string>? inertClasses = null, Func<object?, object?>? persistentLoad = null)
    {
        _path = path;
        _globals = new Dictionary<string, Reducer>(globals, StringComparer.Ordinal);
        _inertClasses = new HashSet<string>(inertClasses ?? [], StringComparer.Ordinal);
        _persistentLoad = persistentLoad;
    }

    /// <summary>Handlers for the plain-data globals any state dict may use.</summary>
    public static IEnumerable<KeyValuePair<string, Reducer>> DataGlobals(string path) =>
    [
        new("collections.OrderedDict", a => a.Count == 0
            ? new PickleDict()
            : throw new CheckpointFormatException(path, "collections.OrderedDict called with arguments, which torch.save never emits")),
        new("torch.Size", a => a.Count == 1 && a[0] is PickleTuple t ? t : a),
        new("_codecs.encode", a => a.Count == 2 && a[0] is string s && a[1] is "latin1" or "latin-1"
            ? Encoding.Latin1.GetBytes((string)a[0]!)
            : throw new CheckpointFormatException(path, "_codecs.encode is only admitted for latin1 byte strings")),
    ];

    public object? Load(byte[] data)
    {
        var stack = new List<object?>();
        var marks = new Stack<int>();
        var memo = new Dictionary<long, object?>();
        int pos = 0;

        byte U8() => pos < data.Length ? data[pos++] : throw Truncated();
        ReadOnlySpan<byte> Take(long n)
        {
            if (n < 0 || pos + n > data.Length) throw Truncated();
            var s = data.AsSpan(pos, (int)n);
            pos += (int)n;
            return s;
        }
        string Line()
        {
            int end = Array.IndexOf(data, (byte)'\n', pos);
            if (end < 0) throw Truncated();
            string s = Encoding.UTF8.GetString(data, pos, end - pos);
            pos = end + 1;
            return s;
        }
        object? Pop()
        {
            if (stack.Count == 0) throw Bad("stack underflow");
            var v = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return v;
        }
        object? Peek() => stack.Count > 0 ? stack[^1] : throw Bad("stack underflow");
        List<object?> PopMark()
        {
            if (marks.Count == 0) throw Bad("MARK expected");
            int m = marks.Pop();
            if (m > stack.Count) throw Bad($"the items after a MARK were already taken off the stack ({stack.Count} left, the mark is at {m})");
            var items = stack.GetRange(m, stack.Count - m);
            stack.RemoveRange(m, stack.Count - m);
            return items;
        }
        void Memoise(long key) => memo[key] = Peek();
        object? Get(long key) => memo.TryGetValue(key, out var v) ? v : throw Bad($"memo key {key} not set");

        while (true)
        {
            int at = pos;
            byte op = U8();
            switch (op)
            {
                case 0x80: U8(); break; // PROTO
                case 0x95: Take(8); break; // FRAME
                case (byte)'.': return Pop(); // STOP
                case (byte)'(': marks.Push(stack.Count); break;
                case (byte)'}': stack.Add(new PickleDict()); break;
                case (byte)']': stack.Add(new List<object?>()); break;
                case (byte)')': stack.Add(new PickleTuple([])); break;
                case (byte)'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;
                case 0x89: stack.Add(false); break;
                case (byte)'K': stack.Add((long)U8()); break;
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
                case 0x8a: stack.Add(Long(Take(U8()))); break; // LONG1
                case 0x8b: stack.Add(Long(Take(BinaryPrimitives.ReadInt32LittleEndian(Take(4))))); break; // LONG4
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
                case (byte)'X': stack.Add(Encoding.UTF8.GetString(Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))))); break;
                case 0x8c: stack.Add(Encoding.UTF8.GetString(Take(U8()))); break;
                case 0x8d: stack.Add(Encoding.UTF8.GetString(Take((long)BinaryPrimitives.ReadUInt64LittleEndian(Take(8))))); break;
                case (byte)'U': stack.Add(Encoding.Latin1.GetString(Take(U8()))); break;
                case (byte)'T': stack.Add(Encoding.Latin1.GetString(Take(BinaryPrimitives.ReadInt32LittleEndian(Take(4))))); break;
                case (byte)'C': stack.Add(Take(U8()).ToArray()); break;
                case (byte)'B': stack.Add(Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))).ToArray()); break;
                case 0x8e: stack.Add(Take((long)BinaryPrimitives.ReadUInt64LittleEndian(Take(8))).ToArray()); break;
                case (byte)'t': stack.Add(new PickleTuple(PopMark().ToArray())); break;
                case 0x85: stack.Add(new PickleTuple([Pop()])); break;
                case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new PickleTuple([a, b])); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new PickleTuple([a, b, c])); break; }
                case (byte)'q': Memoise(U8()); break;
                case (byte)'r': Memoise(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))); break;
                case 0x94: Memoise(memo.Count); break;
                case (byte)'h': stack.Add(Get(U8())); break;
                case (byte)'j': stack.Add(Get(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break;
                case (byte)'a': { var v = Pop(); AsList(Peek(), at).Add(v); break; }
                case (byte)'e': { var items = PopMark(); AsList(Peek(), at).AddRange(items); break; }
                case (byte)'s': { var v = Pop(); var k = Pop(); AsDict(Peek(), at)[Key(k, at)] = v; break; }
                case (byte)'u':
                {
                    var items = PopMark();
                    var d = AsDict(Peek(), at);
                    if (items.Count % 2 != 0) throw Bad($"SETITEMS with an odd number of items at byte {at}");
                    for (int i = 0; i < items.Count; i += 2) d[Key(items[i], at)] = items[i + 1];
                    break;
                }
                case 0x8f: stack.Add(new List<object?>()); break; // EMPTY_SET (kept as a list)
                case 0x90: { var items = PopMark(); AsList(Peek(), at).AddRange(items); break; } // ADDITEMS
                case 0x91: stack.Add(new PickleTuple(PopMark().ToArray())); break; // FROZENSET
                case (byte)'c':
                {
                    string module = Line(), name = Line();
                    stack.Add(Resolve(module, name));
                    break;
                }
                case 0x93:
                {
                    var name = Pop() as string ?? throw Bad($"STACK_GLOBAL without a string name at byte {at}");
                    var module = Pop() as string ?? throw Bad($"STACK_GLOBAL without a string module at byte {at}");
                    stack.Add(Resolve(module, name));
                    break;
                }
                case (byte)'R':
                {
                    var args = Pop() as PickleTuple ?? throw Bad($"REDUCE without an argument tuple at byte {at}");
                    var callable = Pop();
                    stack.Add(Call(callable, args, at));
                    break;
                }
                case 0x81: // NEWOBJ
                {
                    var args = Pop() as PickleTuple ?? throw Bad($"NEWOBJ without an argument tuple at byte {at}");
                    var cls = Pop();
                    stack.Add(Call(cls, args, at));
                    break;
                }
                case (byte)'b': // BUILD: apply state to the object on the stack
                {
                    var state = Pop();
                    var obj = Peek();
                    if (obj is PickleObject po) stack[^1] = po with { State = state };
                    // A state_dict's OrderedDict carries a _metadata attribute (module versions): not needed.
                    else if (obj is not PickleDict and not TorchSharp.torch.Tensor)
                        throw Bad($"BUILD on a {obj?.GetType().Name ?? "None"} at byte {at}");
                    break;
                }
                case (byte)'Q':
                {
                    var pid = Pop();
                    if (_persistentLoad is null) throw Bad($"persistent id at byte {at} but no storage is available");
                    stack.Add(_persistentLoad(pid));
                    break;
                }
                case (byte)'i' or (byte)'o':
                    throw Bad($"opcode '{(char)op}' (instantiate a class) at byte {at} is refused");
                default:
                    throw Bad($"unsupported pickle opcode 0x{op:x2} at byte {at}");
            }
        }
    }

    private object Resolve(string module, string name)
    {
        string full = $"{module}.{name}";
        if (_globals.ContainsKey(full) || _inertClasses.Contains(full)) return new PickleGlobal(module, name);
        throw new UnsafeCheckpointException(_path, full);
    }

    private object? Call(object? callable, PickleTuple args, int at)
    {
        if (callable is not PickleGlobal g) throw Bad($"call of a non-global ({callable?.GetType().Name ?? "None"}) at byte {at}");
        if (_globals.TryGetValue(g.FullName, out var reducer)) return reducer(args);
        if (_inertClasses.Contains(g.FullName)) return new PickleObject(g.FullName, args, null);
        throw new UnsafeCheckpointException(_path, g.FullName);
    }

    private static object Long(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) return 0L;
        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return big >= long.MinValue && big <= long.MaxValue ? (object)(long)big : big; // the cast keeps a long a long (a plain ?: would make both BigInteger)
    }

    private object Key(object? k, int at) => k switch
    {
        null => throw Bad($"None as a dictionary key at byte {at}"),
        PickleTuple t => string.Join("\u0001", t.Items.Select(i => i?.ToString())),
        _ => k,
    };

    private List<object?> AsList(object? o, int at) => o as List<object?> ?? throw Bad($"append to a {o?.GetType().Name ?? "None"} at byte {at}");
    private PickleDict AsDict(object? o, int at) => o as PickleDict ?? throw Bad($"set item on a {o?.GetType().Name ?? "None"} at byte {at}");
    private CheckpointFormatException Truncated() => new(_path, "the pickle ends early (truncated or corrupt file)");
    private CheckpointFormatException Bad(string what) => new(_path, $"malformed pickle: {what}");
}

/// <summary>A Python dict read from a pickle; keeps insertion order.</summary>
public sealed class PickleDict : System.Collections.Generic.OrderedDictionary<object, object?>
{
}
