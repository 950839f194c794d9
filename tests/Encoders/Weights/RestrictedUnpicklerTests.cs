namespace PianoJudges.Tests.Encoders.Weights;

using System.Numerics;
using PianoJudges.Encoders.Weights;

/// <summary>Opcode-level cases of the restricted unpickler that tools/fuzz.sh turned up (docs/RELIABILITY.md, "Fuzzing").</summary>
public class RestrictedUnpicklerTests
{
    private static object? Load(params byte[] pickle) =>
        new RestrictedUnpickler("x.pkl", RestrictedUnpickler.DataGlobals("x.pkl").ToDictionary()).Load(pickle);

    [Fact]
    public void Long1WithinRangeIsALong_BeyondItABigInteger()
    {
        // PROTO 2, LONG1 of 1 byte (42), STOP; then LONG1 of 9 bytes (2^64), STOP
        Assert.Equal(42L, Assert.IsType<long>(Load(0x80, 2, 0x8a, 1, 42, (byte)'.')));
        Assert.Equal(BigInteger.One << 64, Assert.IsType<BigInteger>(Load(0x80, 2, 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, (byte)'.')));
    }

    [Fact]
    public void AMarkWhoseItemsWereTakenIsAMalformedPickle()
    {
        // None, None, MARK, TUPLE2 (takes both Nones, from below the mark), TUPLE (pops the mark)
        var e = Assert.Throws<CheckpointFormatException>(() => Load(0x80, 2, (byte)'N', (byte)'N', (byte)'(', 0x86, (byte)'t', (byte)'.'));
        Assert.Contains("x.pkl: malformed pickle: the items after a MARK were already taken off the stack", e.Message);
    }
}
