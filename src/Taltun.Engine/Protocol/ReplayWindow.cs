namespace Taltun.Protocol;

/// <summary>
/// The receive-side sliding window of RFC 6479: accepts each counter at most once and rejects
/// counters more than <see cref="WindowSize"/> behind the highest seen. A ring of 64-bit blocks;
/// moving forward clears whole blocks, so the cost does not grow with the window. 8128 packets
/// (wireguard-go's size) costs 1 KiB per session and nothing per packet over a window of 2048.
/// Not thread-safe: the owning session serializes calls.
/// </summary>
internal sealed class ReplayWindow
{
    private const int BlockBitLog = 6;
    private const int BlockBits = 1 << BlockBitLog;
    private const int RingBlocks = 128;
    private const int BlockMask = RingBlocks - 1;
    private const int BitMask = BlockBits - 1;

    /// <summary>How far behind the newest counter an older one may still arrive.</summary>
    public const ulong WindowSize = (RingBlocks - 1) * BlockBits;

    private readonly ulong[] _ring = new ulong[RingBlocks];
    private ulong _last;

    /// <summary>Forgets everything: a new session starts at counter 0.</summary>
    public void Reset()
    {
        _last = 0;
        Array.Clear(_ring);
    }

    /// <summary>
    /// True (and the counter recorded) if <paramref name="counter"/> is new and within the window;
    /// false for a replay, a counter too old, or one at or beyond <paramref name="limit"/>.
    /// </summary>
    public bool TryAccept(ulong counter, ulong limit)
    {
        if (counter >= limit)
        {
            return false;
        }

        ulong blockIndex = counter >> BlockBitLog;
        if (counter > _last)
        {
            ulong current = _last >> BlockBitLog;
            ulong diff = Math.Min(blockIndex - current, RingBlocks);
            for (ulong i = 1; i <= diff; i++)
            {
                _ring[(int)((current + i) & BlockMask)] = 0;
            }

            _last = counter;
        }
        else if (_last - counter > WindowSize)
        {
            return false;
        }

        int slot = (int)(blockIndex & BlockMask);
        ulong bit = 1UL << (int)(counter & BitMask);
        if ((_ring[slot] & bit) != 0)
        {
            return false;
        }

        _ring[slot] |= bit;
        return true;
    }
}
