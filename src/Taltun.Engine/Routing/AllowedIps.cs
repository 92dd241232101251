using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Taltun.Routing;

/// <summary>
/// Cryptokey routing: which peer owns an address, by longest prefix match over IPv4 and IPv6
/// prefixes. For each prefix length in use there is one hash of masked address → peer, probed
/// longest first: a lookup costs one probe per distinct length (typically two or three: /32 peers
/// and a few subnets) whatever the number of peers, and takes no lock and allocates nothing.
/// A change touches only its own entry (and, when a length appears or empties, the short list of
/// lengths), so adding or moving a prefix costs the same at 10 peers as at 10,000.
/// As in WireGuard, a prefix belongs to one peer at a time: inserting it again moves it.
/// Thread-safe: lookups run concurrently with one writer at a time (writers take a lock).
/// </summary>
internal sealed class AllowedIps<TPeer>
    where TPeer : class
{
    private readonly Lock _writeLock = new();
    private readonly Family<uint> _v4 = new(32);
    private readonly Family<UInt128> _v6 = new(128);

    // Each peer's prefixes, so listing or removing them never scans the table. Under _writeLock.
    private readonly Dictionary<TPeer, List<IPNetwork>> _byPeer = new(ReferenceEqualityComparer.Instance);
    private int _count;

    /// <summary>How many prefixes the table holds.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Routes <paramref name="prefix"/> (host bits cleared) to <paramref name="peer"/>; a prefix another peer owned moves.</summary>
    public void Insert(IPNetwork prefix, TPeer peer)
    {
        prefix = Canonical(prefix);
        lock (_writeLock)
        {
            TPeer? previous = Set(prefix, peer);
            if (previous == peer)
            {
                return;
            }

            if (previous is null)
            {
                _count++;
            }
            else
            {
                Forget(previous, prefix);
            }

            if (!_byPeer.TryGetValue(peer, out List<IPNetwork>? prefixes))
            {
                _byPeer[peer] = prefixes = new List<IPNetwork>(1);
            }

            prefixes.Add(prefix);
        }
    }

    /// <summary>Removes <paramref name="prefix"/> if <paramref name="peer"/> owns it.</summary>
    public bool Remove(IPNetwork prefix, TPeer peer)
    {
        prefix = Canonical(prefix);
        lock (_writeLock)
        {
            if (OwnerOfLocked(prefix) != peer)
            {
                return false;
            }

            Delete(prefix);
            Forget(peer, prefix);
            _count--;
            return true;
        }
    }

    /// <summary>Removes every prefix of <paramref name="peer"/>.</summary>
    public void RemoveAll(TPeer peer)
    {
        lock (_writeLock)
        {
            if (!_byPeer.Remove(peer, out List<IPNetwork>? prefixes))
            {
                return;
            }

            foreach (IPNetwork prefix in prefixes)
            {
                Delete(prefix);
                _count--;
            }
        }
    }

    /// <summary>The peer that owns exactly <paramref name="prefix"/> (not a longer or shorter one), or null.</summary>
    public TPeer? OwnerOf(IPNetwork prefix) => OwnerOfLocked(Canonical(prefix));

    /// <summary>The prefixes of <paramref name="peer"/>, IPv4 first, then by address.</summary>
    public IReadOnlyList<IPNetwork> PrefixesOf(TPeer peer)
    {
        List<IPNetwork> copy;
        lock (_writeLock)
        {
            if (!_byPeer.TryGetValue(peer, out List<IPNetwork>? prefixes))
            {
                return [];
            }

            copy = [.. prefixes];
        }

        if (copy.Count > 1)
        {
            copy.Sort(static (a, b) => Order(a).CompareTo(Order(b)));
        }

        return copy;
    }

    /// <summary>The peer owning <paramref name="address"/> (4 or 16 bytes), or null.</summary>
    public TPeer? Lookup(ReadOnlySpan<byte> address) => address.Length switch
    {
        4 => _v4.Lookup(BinaryPrimitives.ReadUInt32BigEndian(address)),
        16 => _v6.Lookup(BinaryPrimitives.ReadUInt128BigEndian(address)),
        _ => null,
    };

    public TPeer? Lookup(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return Lookup(bytes[..written]);
    }

    private static (bool V6, UInt128 Address, int Length) Order(IPNetwork prefix) =>
        (prefix.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6, Key(prefix.BaseAddress), prefix.PrefixLength);

    private static IPNetwork Canonical(IPNetwork prefix)
    {
        bool v6 = prefix.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
        UInt128 masked = Key(prefix.BaseAddress) & Family<UInt128>.MaskOf(prefix.PrefixLength, v6 ? 128 : 32);
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, masked);
        return new IPNetwork(new IPAddress(v6 ? bytes : bytes[12..]), prefix.PrefixLength);
    }

    private static UInt128 Key(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return written == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private TPeer? OwnerOfLocked(IPNetwork canonical) => canonical.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6
        ? _v6.Get(canonical.PrefixLength, Key(canonical.BaseAddress))
        : _v4.Get(canonical.PrefixLength, (uint)Key(canonical.BaseAddress));

    private TPeer? Set(IPNetwork canonical, TPeer peer) => canonical.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6
        ? _v6.Set(canonical.PrefixLength, Key(canonical.BaseAddress), peer)
        : _v4.Set(canonical.PrefixLength, (uint)Key(canonical.BaseAddress), peer);

    private void Delete(IPNetwork canonical)
    {
        if (canonical.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6)
        {
            _v6.Delete(canonical.PrefixLength, Key(canonical.BaseAddress));
        }
        else
        {
            _v4.Delete(canonical.PrefixLength, (uint)Key(canonical.BaseAddress));
        }
    }

    private void Forget(TPeer peer, IPNetwork prefix)
    {
        if (_byPeer.TryGetValue(peer, out List<IPNetwork>? prefixes))
        {
            prefixes.Remove(prefix);
            if (prefixes.Count == 0)
            {
                _byPeer.Remove(peer);
            }
        }
    }

    /// <summary>
    /// One address family: a concurrent hash per prefix length, and the lengths in use, longest
    /// first, as an array replaced whole when a length appears or empties (readers see one array
    /// or the other). Writers hold the table's lock; readers hold nothing.
    /// </summary>
    private sealed class Family<TKey>
        where TKey : struct, IBinaryInteger<TKey>
    {
        private readonly ConcurrentDictionary<TKey, TPeer>?[] _levels;

        // Entries per level, kept here: ConcurrentDictionary's own Count and IsEmpty visit every bucket.
        private readonly int[] _counts;
        private readonly TKey[] _masks;
        private volatile int[] _lengths = [];

        public Family(int bits)
        {
            _levels = new ConcurrentDictionary<TKey, TPeer>?[bits + 1];
            _counts = new int[bits + 1];
            _masks = [.. Enumerable.Range(0, bits + 1).Select(length => TKey.CreateTruncating(MaskOf(length, bits)))];
        }

        public static UInt128 MaskOf(int length, int bits) =>
            length == 0 ? UInt128.Zero : (UInt128.MaxValue << (bits - length)) & (bits == 128 ? UInt128.MaxValue : uint.MaxValue);

        public TPeer? Lookup(TKey address)
        {
            foreach (int length in _lengths)
            {
                if (_levels[length] is { } level && level.TryGetValue(address & _masks[length], out TPeer? peer))
                {
                    return peer;
                }
            }

            return null;
        }

        public TPeer? Get(int length, TKey key) => _levels[length] is { } level && level.TryGetValue(key, out TPeer? peer) ? peer : null;

        /// <summary>Sets the owner; returns the previous one, or null. Caller holds the write lock.</summary>
        public TPeer? Set(int length, TKey key, TPeer peer)
        {
            ConcurrentDictionary<TKey, TPeer>? level = _levels[length];
            if (level is null)
            {
                _levels[length] = level = new ConcurrentDictionary<TKey, TPeer>();
            }

            TPeer? previous = level.TryGetValue(key, out TPeer? owner) ? owner : null;
            level[key] = peer;
            if (previous is null && ++_counts[length] == 1)
            {
                _lengths = [.. _lengths.Append(length).OrderDescending()];
            }

            return previous;
        }

        /// <summary>Caller holds the write lock.</summary>
        public void Delete(int length, TKey key)
        {
            if (_levels[length] is { } level && level.TryRemove(key, out _) && --_counts[length] == 0)
            {
                _lengths = [.. _lengths.Where(l => l != length)];
            }
        }
    }
}
