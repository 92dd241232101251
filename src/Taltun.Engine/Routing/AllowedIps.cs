using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Taltun.Routing;

/// <summary>
/// Cryptokey routing: which peer owns an address, by longest prefix match over IPv4 and IPv6
/// prefixes. Lookups read an immutable snapshot without locks or allocation; changes build a new
/// snapshot under a writer lock and publish it atomically, so adding a peer never stalls traffic.
/// As in WireGuard, a prefix belongs to one peer at a time: inserting it again moves it.
/// Thread-safe.
/// </summary>
internal sealed class AllowedIps<TPeer>
    where TPeer : class
{
    private readonly object _writeLock = new();
    private readonly Dictionary<IPNetwork, TPeer> _entries = [];
    private volatile Snapshot _snapshot = Snapshot.Empty;

    /// <summary>How many prefixes the table holds.</summary>
    public int Count => _snapshot.Count;

    /// <summary>Routes <paramref name="prefix"/> (host bits cleared) to <paramref name="peer"/>.</summary>
    public void Insert(IPNetwork prefix, TPeer peer)
    {
        lock (_writeLock)
        {
            _entries[Canonical(prefix)] = peer;
            Publish();
        }
    }

    /// <summary>Removes <paramref name="prefix"/> if <paramref name="peer"/> owns it.</summary>
    public bool Remove(IPNetwork prefix, TPeer peer)
    {
        lock (_writeLock)
        {
            prefix = Canonical(prefix);
            if (!_entries.TryGetValue(prefix, out TPeer? owner) || owner != peer)
            {
                return false;
            }

            _entries.Remove(prefix);
            Publish();
            return true;
        }
    }

    /// <summary>Removes every prefix of <paramref name="peer"/>.</summary>
    public void RemoveAll(TPeer peer)
    {
        lock (_writeLock)
        {
            foreach (var prefix in _entries.Where(e => e.Value == peer).Select(e => e.Key).ToList())
            {
                _entries.Remove(prefix);
            }

            Publish();
        }
    }

    /// <summary>The peer that owns exactly <paramref name="prefix"/> (not a longer or shorter one), or null.</summary>
    public TPeer? OwnerOf(IPNetwork prefix)
    {
        lock (_writeLock)
        {
            return _entries.GetValueOrDefault(Canonical(prefix));
        }
    }

    /// <summary>The prefixes of <paramref name="peer"/>, IPv4 first, then by address.</summary>
    public IReadOnlyList<IPNetwork> PrefixesOf(TPeer peer)
    {
        lock (_writeLock)
        {
            return _entries.Where(e => e.Value == peer).Select(e => e.Key)
                .OrderBy(p => p.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6)
                .ThenBy(p => p.BaseAddress.ToString(), StringComparer.Ordinal)
                .ThenBy(p => p.PrefixLength)
                .ToList();
        }
    }

    /// <summary>The peer owning <paramref name="address"/> (4 or 16 bytes), or null.</summary>
    public TPeer? Lookup(ReadOnlySpan<byte> address) => _snapshot.Lookup(address);

    public TPeer? Lookup(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return Lookup(bytes[..written]);
    }

    private static IPNetwork Canonical(IPNetwork prefix) => new(Mask(prefix.BaseAddress, prefix.PrefixLength), prefix.PrefixLength);

    private static IPAddress Mask(IPAddress address, int prefixLength)
    {
        byte[] bytes = address.GetAddressBytes();
        for (int bit = prefixLength; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }

    private void Publish() => _snapshot = Snapshot.Build(_entries);

    /// <summary>
    /// One immutable table per address family: for each prefix length in use, longest first, a
    /// hash of masked address → peer. A lookup probes one hash per distinct length, typically
    /// two or three (/32 peers plus a few subnets), whatever the number of peers.
    /// </summary>
    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new([], [], 0);

        private readonly Level<uint>[] _v4;
        private readonly Level<UInt128>[] _v6;

        private Snapshot(Level<uint>[] v4, Level<UInt128>[] v6, int count)
        {
            _v4 = v4;
            _v6 = v6;
            Count = count;
        }

        public int Count { get; }

        public static Snapshot Build(Dictionary<IPNetwork, TPeer> entries)
        {
            var v4 = entries.Where(e => e.Key.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
                .GroupBy(e => e.Key.PrefixLength)
                .OrderByDescending(g => g.Key)
                .Select(g => new Level<uint>(MaskV4(g.Key), g.ToDictionary(e => V4(e.Key.BaseAddress.GetAddressBytes()), e => e.Value)))
                .ToArray();
            var v6 = entries.Where(e => e.Key.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6)
                .GroupBy(e => e.Key.PrefixLength)
                .OrderByDescending(g => g.Key)
                .Select(g => new Level<UInt128>(MaskV6(g.Key), g.ToDictionary(e => V6(e.Key.BaseAddress.GetAddressBytes()), e => e.Value)))
                .ToArray();
            return new Snapshot(v4, v6, entries.Count);
        }

        public TPeer? Lookup(ReadOnlySpan<byte> address)
        {
            if (address.Length == 4)
            {
                uint key = V4(address);
                foreach (var level in _v4)
                {
                    if (level.Peers.TryGetValue(key & level.Mask, out TPeer? peer))
                    {
                        return peer;
                    }
                }
            }
            else if (address.Length == 16)
            {
                UInt128 key = V6(address);
                foreach (var level in _v6)
                {
                    if (level.Peers.TryGetValue(key & level.Mask, out TPeer? peer))
                    {
                        return peer;
                    }
                }
            }

            return null;
        }

        private static uint V4(ReadOnlySpan<byte> address) => BinaryPrimitives.ReadUInt32BigEndian(address);

        private static UInt128 V6(ReadOnlySpan<byte> address) => BinaryPrimitives.ReadUInt128BigEndian(address);

        private static uint MaskV4(int length) => length == 0 ? 0 : uint.MaxValue << (32 - length);

        private static UInt128 MaskV6(int length) => length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);

        private readonly record struct Level<TKey>(TKey Mask, Dictionary<TKey, TPeer> Peers)
            where TKey : notnull;
    }
}
