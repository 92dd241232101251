using System.Buffers.Binary;

namespace Taltun.Protocol;

/// <summary>
/// TAI64N timestamps as initiations carry them: 8 bytes big-endian seconds (offset 2^62, the
/// leap seconds ignored as WireGuard does) and 4 bytes big-endian nanoseconds. The responder
/// accepts an initiation only if its timestamp is greater than the last one it accepted, so
/// comparing the 12 bytes lexicographically compares the times.
/// </summary>
internal static class Tai64N
{
    private const ulong Base = 0x400000000000000aUL;

    /// <summary>
    /// wireguard-go rounds the nanoseconds down to a multiple of 2^24 ns (~16.8 ms) so the
    /// timestamp does not leak the host's fine-grained clock; Taltun does the same.
    /// </summary>
    private const int WhitenerMask = 0x1000000 - 1;

    public static void Write(Span<byte> destination, DateTimeOffset time)
    {
        long unixNanos = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        ulong seconds = (ulong)(unixNanos / 1_000_000_000);
        uint nanos = (uint)(unixNanos % 1_000_000_000) & ~(uint)WhitenerMask;
        BinaryPrimitives.WriteUInt64BigEndian(destination, Base + seconds);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], nanos);
    }

    /// <summary>True if <paramref name="candidate"/> is strictly later than <paramref name="previous"/>.</summary>
    public static bool After(ReadOnlySpan<byte> candidate, ReadOnlySpan<byte> previous) =>
        candidate[..MessageLayout.TimestampSize].SequenceCompareTo(previous[..MessageLayout.TimestampSize]) > 0;
}
