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

    /// <summary>Parses "10.0.0.1/24" or "10.0.0.1" (then <paramref name="defaultPrefix"/>, or the host prefix for IPv6).</summary>
    public static bool TryParse(string text, int defaultPrefix, out InterfaceAddress result)
    {
        result = default;
        string[] parts = text.Trim().Split('/');
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out IPAddress? address) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return false;
        }

        int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = address.AddressFamily == AddressFamily.InterNetwork ? defaultPrefix : 64;
        if (parts.Length == 2 && (!int.TryParse(parts[1], out prefix) || prefix < 0 || prefix > max))
        {
            return false;
        }

        result = new InterfaceAddress(address, prefix);
        return true;
    }

    public override string ToString() => $"{Address}/{PrefixLength}";

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
