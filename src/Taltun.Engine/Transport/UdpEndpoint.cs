using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Taltun.Interop;

namespace Taltun.Transport;

/// <summary>
/// A peer's UDP address, kept in the sockaddr forms the sockets use so sending needs no
/// conversion and receiving can compare without allocating. Immutable; a roaming peer gets a new one.
/// </summary>
internal sealed class UdpEndpoint : IEquatable<UdpEndpoint>
{
    /// <summary>sizeof(struct sockaddr_in6), the largest form stored.</summary>
    internal const int MaxSockAddrSize = 28;

    /// <summary>The longest source <see cref="WriteSource"/> writes: an IPv6 address and a port.</summary>
    internal const int MaxSourceSize = 18;

    private const int SockAddrIn4Size = 16;

    // sockaddr_in6, with an IPv4 address as ::ffff:a.b.c.d, for dual-stack sockets.
    private readonly byte[] _sockAddr6 = new byte[MaxSockAddrSize];

    // sockaddr_in, for IPv4-only sockets; null for IPv6 addresses.
    private readonly byte[]? _sockAddr4;

    public UdpEndpoint(IPEndPoint endPoint)
    {
        IPAddress address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        EndPoint = new IPEndPoint(address, endPoint.Port);
        BinaryPrimitives.WriteUInt16LittleEndian(_sockAddr6, Libc.AF_INET6);
        BinaryPrimitives.WriteUInt16BigEndian(_sockAddr6.AsSpan(2), (ushort)endPoint.Port);
        address.MapToIPv6().TryWriteBytes(_sockAddr6.AsSpan(8, 16), out _);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_sockAddr6.AsSpan(24), (uint)address.ScopeId);
            return;
        }

        _sockAddr4 = new byte[SockAddrIn4Size];
        BinaryPrimitives.WriteUInt16LittleEndian(_sockAddr4, Libc.AF_INET);
        BinaryPrimitives.WriteUInt16BigEndian(_sockAddr4.AsSpan(2), (ushort)endPoint.Port);
        address.TryWriteBytes(_sockAddr4.AsSpan(4, 4), out _);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Parses a sockaddr_in or sockaddr_in6 as the kernel returned it; null if neither.</summary>
    internal static UdpEndpoint? FromSockAddr(ReadOnlySpan<byte> sockAddr)
    {
        if (sockAddr.Length >= SockAddrIn4Size && BinaryPrimitives.ReadUInt16LittleEndian(sockAddr) == Libc.AF_INET)
        {
            return new UdpEndpoint(new IPEndPoint(new IPAddress(sockAddr.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(sockAddr[2..])));
        }

        if (sockAddr.Length >= MaxSockAddrSize && BinaryPrimitives.ReadUInt16LittleEndian(sockAddr) == Libc.AF_INET6)
        {
            var address = new IPAddress(sockAddr.Slice(8, 16), BinaryPrimitives.ReadUInt32LittleEndian(sockAddr[24..]));
            return new UdpEndpoint(new IPEndPoint(address, BinaryPrimitives.ReadUInt16BigEndian(sockAddr[2..])));
        }

        return null;
    }

    /// <summary>
    /// Writes the source form the protocol core binds cookies to: the address
    /// (4 bytes for IPv4, also when mapped; else 16) then the port; returns its length, or 0.
    /// </summary>
    internal static int WriteSource(ReadOnlySpan<byte> sockAddr, Span<byte> source)
    {
        ushort family = sockAddr.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(sockAddr) : (ushort)0;
        if (family == Libc.AF_INET && sockAddr.Length >= SockAddrIn4Size)
        {
            sockAddr.Slice(4, 4).CopyTo(source);
            sockAddr.Slice(2, 2).CopyTo(source[4..]);
            return 6;
        }

        if (family == Libc.AF_INET6 && sockAddr.Length >= MaxSockAddrSize)
        {
            ReadOnlySpan<byte> address = sockAddr.Slice(8, 16);
            if (IsV4Mapped(address))
            {
                address[12..].CopyTo(source);
                sockAddr.Slice(2, 2).CopyTo(source[4..]);
                return 6;
            }

            address.CopyTo(source);
            sockAddr.Slice(2, 2).CopyTo(source[16..]);
            return 18;
        }

        return 0;
    }

    /// <summary>The sockaddr for a socket of the given family, as a span over this endpoint's storage.</summary>
    internal ReadOnlySpan<byte> SockAddr(bool dualStack) => dualStack ? _sockAddr6 : _sockAddr4;

    /// <summary>True if the kernel-reported <paramref name="sockAddr"/> is this endpoint (allocation-free).</summary>
    internal bool Matches(ReadOnlySpan<byte> sockAddr)
    {
        if (sockAddr.Length >= 2 && BinaryPrimitives.ReadUInt16LittleEndian(sockAddr) == Libc.AF_INET)
        {
            return _sockAddr4 is not null && sockAddr.Length >= SockAddrIn4Size && sockAddr[..8].SequenceEqual(_sockAddr4.AsSpan(0, 8));
        }

        // Port and address; flow info is not part of the identity.
        return sockAddr.Length >= MaxSockAddrSize
            && sockAddr[..4].SequenceEqual(_sockAddr6.AsSpan(0, 4))
            && sockAddr.Slice(8, 20).SequenceEqual(_sockAddr6.AsSpan(8, 20));
    }

    public bool Equals(UdpEndpoint? other) => other is not null && _sockAddr6.AsSpan().SequenceEqual(other._sockAddr6);

    public override bool Equals(object? obj) => Equals(obj as UdpEndpoint);

    public override int GetHashCode() => EndPoint.GetHashCode();

    public override string ToString() => EndPoint.ToString();

    private static bool IsV4Mapped(ReadOnlySpan<byte> address) =>
        address[..10].IndexOfAnyExcept((byte)0) < 0 && address[10] == 0xff && address[11] == 0xff;
}
