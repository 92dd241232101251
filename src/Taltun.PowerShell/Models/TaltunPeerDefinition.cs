using Taltun.Configuration;

namespace Taltun.PowerShell;

/// <summary>
/// A peer for Start-TaltunTunnel -Peer. PowerShell converts a hashtable with these keys
/// (@{ PublicKey = '…'; VirtualIP = '10.0.0.1'; Endpoint = 'hub:9000' }), or a string
/// 'PUBLICKEY,VIRTUALIP[,HOST:PORT]', e.g. 'PUBLICKEY,10.0.0.1,203.0.113.7:9000'.
/// </summary>
public sealed class TaltunPeerDefinition
{
    public TaltunPeerDefinition()
    {
    }

    /// <summary>Parses "publickey,vip[,endpoint]".</summary>
    public TaltunPeerDefinition(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 2 or > 3)
        {
            // The text is not repeated: it may hold a key, and a mistyped one may be a private key.
            throw new ArgumentException($"A peer written as text has {parts.Length} comma-separated field(s); write 'PUBLICKEY,VIRTUALIP[,HOST:PORT]' (e.g. 'AbC…=,10.0.0.1,203.0.113.7:9000'), or a hashtable.");
        }

        PublicKey = parts[0];
        VirtualIP = parts[1];
        Endpoint = parts.Length == 3 ? parts[2] : null;
    }

    public string PublicKey { get; set; } = string.Empty;

    public string? VirtualIP { get; set; }

    public string? Endpoint { get; set; }

    public string[]? AllowedIPs { get; set; }

    public int? PersistentKeepalive { get; set; }

    public string? PresharedKey { get; set; }

    /// <summary>The definition as the engine's parameter text.</summary>
    public PeerText ToText() => new(PublicKey)
    {
        VirtualIP = VirtualIP,
        Endpoint = Endpoint,
        AllowedIps = AllowedIPs,
        PersistentKeepalive = PersistentKeepalive,
        PresharedKey = PresharedKey,
    };

    public override string ToString() => $"{PublicKey},{VirtualIP}{(Endpoint is null ? string.Empty : "," + Endpoint)}";
}
