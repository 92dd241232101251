using Taltun.Configuration;

namespace Taltun.Device;

/// <summary>The tunnel's own addresses as raw bytes, for an allocation-free "is this packet for us?". Immutable.</summary>
internal sealed class LocalAddresses
{
    private readonly byte[][] _addresses;

    public LocalAddresses(IEnumerable<InterfaceAddress> addresses) =>
        _addresses = [.. addresses.Select(a => a.Address.GetAddressBytes())];

    public bool Contains(ReadOnlySpan<byte> address)
    {
        foreach (byte[] local in _addresses)
        {
            if (address.SequenceEqual(local))
            {
                return true;
            }
        }

        return false;
    }
}
