using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Taltun.Configuration;
using Taltun.Crypto;

namespace Taltun.Control;

/// <summary>
/// Reads the lines of a userspace-API <c>set=1</c> request (WireGuard's cross-platform
/// configuration protocol, as wireguard-go's device/uapi.go accepts it) into a <see cref="TunnelUpdate"/>:
/// interface keys first, then one block per <c>public_key</c>. Keys arrive as hex and are decoded
/// from the line's bytes, never through a string. A bad line throws <see cref="UapiException"/>
/// with wireguard-go's errno. Not thread-safe: one per request.
/// </summary>
internal sealed class UapiSetParser
{
    private readonly List<PeerUpdate> _peers = [];
    private readonly List<AllowedIpChange> _allowedIps = [];
    private TunnelUpdate _update = new();
    private PeerUpdate? _peer;

    /// <summary>The update the lines so far describe.</summary>
    public TunnelUpdate Result
    {
        get
        {
            FinishPeer();
            return _update with { Peers = [.. _peers] };
        }
    }

    /// <summary>Takes one line (without its newline).</summary>
    public void Add(ReadOnlySpan<byte> line)
    {
        int equals = line.IndexOf((byte)'=');
        if (equals < 0)
        {
            throw new UapiException(UapiException.EPROTO, $"failed to parse a line of {line.Length} bytes: it has no '=' (key=value).");
        }

        string key = Encoding.ASCII.GetString(line[..Math.Min(equals, 64)]);
        ReadOnlySpan<byte> value = line[(equals + 1)..];
        if (key == "public_key")
        {
            FinishPeer();
            _peer = new PeerUpdate { PublicKey = new PublicKey(Key(value, key)) };
        }
        else if (_peer is null)
        {
            AddDeviceValue(key, value);
        }
        else
        {
            AddPeerValue(key, value);
        }
    }

    private void AddDeviceValue(string key, ReadOnlySpan<byte> value)
    {
        switch (key)
        {
            case "private_key":
                Span<byte> raw = stackalloc byte[Key32.Size];
                try
                {
                    DecodeKey(value, raw, key);
                    if (!raw.ContainsAnyExcept((byte)0))
                    {
                        throw new UapiException(UapiException.EINVAL, "failed to set private_key: an all-zero key would leave the tunnel without an identity; stop the tunnel instead.");
                    }

                    _update = _update with { PrivateKey = new PrivateKey(raw) };
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(raw);
                }

                break;
            case "listen_port":
                _update = _update with { ListenPort = (int)Number(value, ushort.MaxValue, "failed to parse listen_port") };
                break;
            case "fwmark":
                _update = _update with { FirewallMark = Number(value, uint.MaxValue, "invalid fwmark") };
                break;
            case "replace_peers":
                _update = _update with { ReplacePeers = True(value, "failed to set replace_peers") };
                break;
            default:
                throw new UapiException(UapiException.EINVAL, $"invalid UAPI device key: {Quote(key)}.");
        }
    }

    private void AddPeerValue(string key, ReadOnlySpan<byte> value)
    {
        PeerUpdate peer = _peer!;
        switch (key)
        {
            case "update_only":
                _peer = peer with { UpdateOnly = True(value, "failed to set update only") };
                break;
            case "remove":
                _peer = peer with { Remove = True(value, "failed to set remove") };
                break;
            case "preshared_key":
                Span<byte> raw = stackalloc byte[Key32.Size];
                try
                {
                    DecodeKey(value, raw, key);
                    bool none = !raw.ContainsAnyExcept((byte)0);
                    _peer = peer with { PresharedKey = none ? null : new PresharedKey(raw), ClearPresharedKey = none };
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(raw);
                }

                break;
            case "endpoint":
                string text = Encoding.ASCII.GetString(value);
                if (!IPEndPoint.TryParse(text, out IPEndPoint? endpoint) || endpoint.Port == 0 || (endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !text.StartsWith('[')))
                {
                    throw new UapiException(UapiException.EINVAL, $"failed to set endpoint {Quote(text)}: not an IP address and port (1.2.3.4:51820 or [2001:db8::1]:51820).");
                }

                _peer = peer with { Endpoint = endpoint.ToString() };
                break;
            case "persistent_keepalive_interval":
                _peer = peer with { PersistentKeepalive = (int)Number(value, ushort.MaxValue, "failed to set persistent keepalive interval") };
                break;
            case "replace_allowed_ips":
                True(value, "failed to replace allowedips");
                _peer = peer with { ReplaceAllowedIps = true };

                // Replacing empties the list: what came before in this block goes too.
                _allowedIps.Clear();
                break;
            case "allowed_ip":
                bool remove = value.Length > 0 && value[0] == '-';
                _allowedIps.Add(new AllowedIpChange(Prefix(remove ? value[1..] : value), remove));
                break;
            case "protocol_version":
                if (!value.SequenceEqual("1"u8))
                {
                    throw new UapiException(UapiException.EINVAL, $"invalid protocol version: {Quote(value)}.");
                }

                break;
            default:
                throw new UapiException(UapiException.EINVAL, $"invalid UAPI peer key: {Quote(key)}.");
        }
    }

    private void FinishPeer()
    {
        if (_peer is not null)
        {
            _peers.Add(_peer with { AllowedIps = [.. _allowedIps] });
            _peer = null;
            _allowedIps.Clear();
        }
    }

    private static byte[] Key(ReadOnlySpan<byte> value, string key)
    {
        var raw = new byte[Key32.Size];
        DecodeKey(value, raw, key);
        return raw;
    }

    /// <summary>64 hex digits into 32 bytes; the message never quotes the value (it may be a secret).</summary>
    private static void DecodeKey(ReadOnlySpan<byte> hex, Span<byte> key, string name)
    {
        if (hex.Length != 2 * Key32.Size)
        {
            throw new UapiException(UapiException.EINVAL, $"failed to set {name}: a key is 64 hex digits, this value has {hex.Length} characters.");
        }

        for (int i = 0; i < key.Length; i++)
        {
            int high = HexDigit(hex[2 * i]);
            int low = HexDigit(hex[(2 * i) + 1]);
            if ((high | low) < 0)
            {
                key.Clear();
                throw new UapiException(UapiException.EINVAL, $"failed to set {name}: a key is 64 hex digits (0-9, a-f), this value has other characters.");
            }

            key[i] = (byte)((high << 4) | low);
        }
    }

    private static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static uint Number(ReadOnlySpan<byte> value, uint max, string what) =>
        uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint number) && number <= max
            ? number
            : throw new UapiException(UapiException.EINVAL, $"{what}: {Quote(value)} is not a number from 0 to {max}.");

    private static bool True(ReadOnlySpan<byte> value, string what) =>
        value.SequenceEqual("true"u8) ? true : throw new UapiException(UapiException.EINVAL, $"{what}, invalid value: {Quote(value)}.");

    /// <summary>A prefix as wireguard-go takes one: host bits are masked off, as its table stores it.</summary>
    private static IPNetwork Prefix(ReadOnlySpan<byte> value)
    {
        string text = Encoding.ASCII.GetString(value);
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text[..slash], out IPAddress? address) || text[..slash].Contains('%', StringComparison.Ordinal)
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int length)
            || length > (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
        {
            throw new UapiException(UapiException.EINVAL, $"failed to set allowed ip: {Quote(text)} is not a prefix (10.0.0.2/32, fd00::2/128).");
        }

        return new IPNetwork(new InterfaceAddress(address, length).Network.BaseAddress, length);
    }

    /// <summary>A value for a message: short ones quoted unless they look like a key, long ones only counted.</summary>
    private static string Quote(ReadOnlySpan<byte> value) => value.Length > 80 ? $"(a value of {value.Length} characters)" : Quote(Encoding.ASCII.GetString(value));

    private static string Quote(string value) => MessageText.Quote(value);
}
