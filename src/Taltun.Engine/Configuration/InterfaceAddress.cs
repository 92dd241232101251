using System.Net;
using System.Net.Sockets;

namespace Taltun.Configuration;

/// <summary>An address of the tunnel interface with its prefix, e.g. 10.0.0.1/24 (the host bits are kept, unlike <see cref="IPNetwork"/>).</summary>
public readonly record struct InterfaceAddress(IPAddress Address, int PrefixLength)
{
    /// <summary>The subnet this address puts on the link: the kernel adds its route with the address.</summary>
    public IPNetwork Network => new(Mask(Address, PrefixLength), PrefixLength);

    /// <summary>The address alone as a host prefix (/32 or /128).</summary>
    public IPNetwork Host => new(Address, Address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);

    /// <summary>
    /// Parses "10.0.0.1/24" or "10.0.0.1" (then <paramref name="defaultPrefix"/>, or /64 for IPv6)
    /// and checks it can be a tunnel address; null with <paramref name="problem"/> otherwise.
    /// </summary>
    public static InterfaceAddress? Parse(string text, int defaultPrefix, out string problem)
    {
        string[] parts = text.Trim().Split('/');
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out IPAddress? address) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            problem = $"{MessageText.Quote(text)} is not an IP address with an optional prefix, e.g. 10.0.0.1 or 10.0.0.1/24.";
            return null;
        }

        int prefix = address.AddressFamily == AddressFamily.InterNetwork ? defaultPrefix : 64;
        if (parts.Length == 2 && NetworkPrefix.LengthProblem(parts[1], address.AddressFamily, out prefix) is { } wrongLength)
        {
            problem = wrongLength;
            return null;
        }

        var result = new InterfaceAddress(address, prefix);
        problem = result.Problem() ?? string.Empty;
        return problem.Length == 0 ? result : null;
    }

    /// <summary>Null if this can be a tunnel's address; otherwise why not and what to use instead.</summary>
    public string? Problem()
    {
        if (IPAddress.IsLoopback(Address) || Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any) || IsMulticast(Address))
        {
            return $"{this} cannot be a tunnel address: use a unicast address such as 10.0.0.1/24.";
        }

        return ReservedIn(Network, Address) is { } reserved
            ? $"{Address} is the {reserved} of {Network}, not a host's address: use one such as {FirstHost(Network)}/{PrefixLength}."
            : null;
    }

    /// <summary>"network address", "broadcast address" or "Subnet-Router anycast address" if <paramref name="address"/> is that of <paramref name="subnet"/>; else null.</summary>
    public static string? ReservedIn(IPNetwork subnet, IPAddress address)
    {
        if (address.AddressFamily != subnet.BaseAddress.AddressFamily || !subnet.Contains(address))
        {
            return null;
        }

        bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
        if (subnet.PrefixLength >= (v4 ? 31 : 127))
        {
            return null;
        }

        if (address.Equals(subnet.BaseAddress))
        {
            return v4 ? "network address" : "Subnet-Router anycast address";
        }

        return v4 && address.Equals(LastAddress(subnet)) ? "broadcast address" : null;
    }

    public override string ToString() => $"{Address}/{PrefixLength}";

    private static bool IsMulticast(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? (address.GetAddressBytes()[0] & 0xF0) == 0xE0 : address.IsIPv6Multicast;

    private static IPAddress FirstHost(IPNetwork subnet)
    {
        byte[] bytes = subnet.BaseAddress.GetAddressBytes();
        bytes[^1] |= 1;
        return new IPAddress(bytes);
    }

    private static IPAddress LastAddress(IPNetwork subnet)
    {
        byte[] bytes = subnet.BaseAddress.GetAddressBytes();
        for (int bit = subnet.PrefixLength; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        byte[] bytes = address.GetAddressBytes();
        for (int bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }
}
