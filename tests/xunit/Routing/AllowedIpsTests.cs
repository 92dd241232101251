using System.Net;
using CsCheck;
using Taltun.Routing;

namespace Taltun.Tests.Routing;

public class AllowedIpsTests
{
    private sealed record Owner(int Id);

    /// <summary>Longest prefix match by scanning every entry: slow and obviously right.</summary>
    private static Owner? NaiveLookup(Dictionary<(UInt128 Network, int Length, bool V6), Owner> entries, byte[] address)
    {
        bool v6 = address.Length == 16;
        UInt128 value = v6 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(address) : System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address);
        int bits = v6 ? 128 : 32;
        Owner? best = null;
        int bestLength = -1;
        foreach (var ((network, length, isV6), owner) in entries)
        {
            if (isV6 != v6 || length <= bestLength)
            {
                continue;
            }

            UInt128 mask = length == 0 ? UInt128.Zero : (UInt128.MaxValue << (bits - length)) & (v6 ? UInt128.MaxValue : uint.MaxValue);
            if ((value & mask) == (network & mask))
            {
                best = owner;
                bestLength = length;
            }
        }

        return best;
    }

    [Fact]
    public void MatchesANaiveLinearReferenceOnRandomPrefixesAndAddresses()
    {
        // Addresses from a small space so prefixes overlap and nest often.
        var v4 = Gen.Select(Gen.Byte[10, 11], Gen.Byte[0, 3], Gen.Byte, Gen.Byte, (a, b, c, d) => new[] { a, b, c, d });
        var v6 = Gen.Select(Gen.Byte[0, 2], Gen.Byte, Gen.Byte[0, 2], (a, b, c) =>
        {
            var bytes = new byte[16];
            bytes[0] = 0xfd;
            bytes[1] = a;
            bytes[7] = b;
            bytes[15] = c;
            return bytes;
        });
        var address = Gen.OneOf(v4, v4, v6);
        var entry = Gen.Select(address, Gen.Int[0, 128], Gen.Int[0, 9], (a, length, owner) => (a, Math.Min(length, a.Length * 8), owner));

        Gen.Select(entry.Array[0, 60], address.Array[1, 60]).Sample((entries, probes) =>
        {
            var table = new AllowedIps<Owner>();
            var naive = new Dictionary<(UInt128, int, bool), Owner>();
            var owners = Enumerable.Range(0, 10).Select(i => new Owner(i)).ToArray();
            foreach (var (bytes, length, owner) in entries)
            {
                var prefix = new IPNetwork(Masked(bytes, length), length);
                table.Insert(prefix, owners[owner]);
                bool isV6 = bytes.Length == 16;
                UInt128 network = isV6 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(Masked(bytes, length).GetAddressBytes()) : System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(Masked(bytes, length).GetAddressBytes());
                naive[(network, length, isV6)] = owners[owner];
            }

            foreach (byte[] probe in probes.Concat(entries.Select(e => e.a)))
            {
                Assert.Same(NaiveLookup(naive, probe), table.Lookup(probe));
            }
        }, iter: 300);
    }

    [Fact]
    public void IncrementalInsertsMovesAndRemovalsAgreeWithANaiveReference()
    {
        // Random sequences of changes (insert, which moves a prefix another owner had; remove by
        // owner; remove all of an owner) over IPv4 and IPv6 prefixes from a small, overlapping
        // space; after each sequence every lookup, owner, count and per-owner list must match.
        var v4 = Gen.Select(Gen.Byte[10, 11], Gen.Byte[0, 3], Gen.Byte[0, 3], Gen.Byte, (a, b, c, d) => new[] { a, b, c, d });
        var v6 = Gen.Select(Gen.Byte[0, 2], Gen.Byte[0, 3], Gen.Byte[0, 2], (a, b, c) =>
        {
            var bytes = new byte[16];
            bytes[0] = 0xfd;
            bytes[1] = a;
            bytes[7] = b;
            bytes[15] = c;
            return bytes;
        });
        var address = Gen.OneOf(v4, v4, v6);
        var change = Gen.Select(Gen.Int[0, 9], address, Gen.Int[0, 128], Gen.Int[0, 5], (kind, a, length, owner) => (kind, a, Math.Min(length, a.Length * 8), owner));

        Gen.Select(change.Array[1, 80], address.Array[1, 40]).Sample((changes, probes) =>
        {
            var table = new AllowedIps<Owner>();
            var naive = new Dictionary<(UInt128, int, bool), Owner>();
            var owners = Enumerable.Range(0, 6).Select(i => new Owner(i)).ToArray();
            foreach (var (kind, bytes, length, owner) in changes)
            {
                var prefix = new IPNetwork(Masked(bytes, length), length);
                var key = (Value(Masked(bytes, length).GetAddressBytes()), length, bytes.Length == 16);
                if (kind < 6)
                {
                    table.Insert(prefix, owners[owner]);
                    naive[key] = owners[owner];
                }
                else if (kind < 9)
                {
                    bool owned = naive.TryGetValue(key, out Owner? current) && current == owners[owner];
                    Assert.Equal(owned, table.Remove(prefix, owners[owner]));
                    if (owned)
                    {
                        naive.Remove(key);
                    }
                }
                else
                {
                    table.RemoveAll(owners[owner]);
                    foreach (var entry in naive.Where(e => e.Value == owners[owner]).ToList())
                    {
                        naive.Remove(entry.Key);
                    }
                }
            }

            Assert.Equal(naive.Count, table.Count);
            foreach (byte[] probe in probes.Concat(changes.Select(c => c.a)))
            {
                Assert.Same(NaiveLookup(naive, probe), table.Lookup(probe));
            }

            foreach (Owner owner in owners)
            {
                Assert.Equal(naive.Count(e => e.Value == owner), table.PrefixesOf(owner).Count);
                Assert.All(table.PrefixesOf(owner), p => Assert.Same(owner, table.OwnerOf(p)));
            }
        }, iter: 500);
    }

    [Fact]
    public void LongestPrefixWinsAndRemovalFallsBackToTheShorterOne()
    {
        var table = new AllowedIps<Owner>();
        var hub = new Owner(1);
        var spoke = new Owner(2);
        table.Insert(IPNetwork.Parse("10.0.0.0/24"), hub);
        table.Insert(IPNetwork.Parse("10.0.0.2/32"), spoke);

        Assert.Same(spoke, table.Lookup(IPAddress.Parse("10.0.0.2")));
        Assert.Same(hub, table.Lookup(IPAddress.Parse("10.0.0.3")));
        Assert.Null(table.Lookup(IPAddress.Parse("10.0.1.1")));

        table.RemoveAll(spoke);
        Assert.Same(hub, table.Lookup(IPAddress.Parse("10.0.0.2")));
    }

    [Fact]
    public void InsertingAPrefixAgainMovesItToTheNewPeer()
    {
        var table = new AllowedIps<Owner>();
        var first = new Owner(1);
        var second = new Owner(2);
        table.Insert(IPNetwork.Parse("fd00::/64"), first);
        table.Insert(IPNetwork.Parse("fd00::/64"), second);

        Assert.Same(second, table.Lookup(IPAddress.Parse("fd00::1")));
        Assert.Empty(table.PrefixesOf(first));
        Assert.False(table.Remove(IPNetwork.Parse("fd00::/64"), first));
    }

    [Fact]
    public void TheFullTunnelHalvesCoverEveryIpv4Address()
    {
        var table = new AllowedIps<Owner>();
        var hub = new Owner(1);
        table.Insert(IPNetwork.Parse("0.0.0.0/1"), hub);
        table.Insert(IPNetwork.Parse("128.0.0.0/1"), hub);

        Assert.Same(hub, table.Lookup(IPAddress.Parse("1.2.3.4")));
        Assert.Same(hub, table.Lookup(IPAddress.Parse("203.0.113.9")));
        Assert.Null(table.Lookup(IPAddress.Parse("::1")));
    }

    private static UInt128 Value(byte[] bytes) => bytes.Length == 16
        ? System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes)
        : System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);

    private static IPAddress Masked(byte[] bytes, int length)
    {
        var copy = (byte[])bytes.Clone();
        for (int bit = length; bit < copy.Length * 8; bit++)
        {
            copy[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(copy);
    }
}
