using System.Net;
using Taltun.Crypto;

namespace Taltun.Configuration;

/// <summary>
/// The rules that hold between a tunnel and its peers, each stated once: the options' validation
/// (at start and for a peer added live) and the file reader (which adds the line) both use these
/// sentences, so a rule reads the same wherever it is broken.
/// </summary>
internal static class PeerRules
{
    public const string OwnKey = "this is the tunnel's own public key; a peer's public key is the other side's.";

    public const string OwnPrivateKey = "this is the tunnel's own private key, not a public key. A private key never leaves its host: give the peer's public key (New-TaltunKey prints both), and make this tunnel a new key pair, since this one has been exposed.";

    public const string ListedTwice = "is listed twice; each peer appears once.";

    /// <summary>A peer with no address could neither send nor receive; the fix named as the user writes it (vip / allowed_ips, -VirtualIP / -AllowedIPs, or AllowedIPs).</summary>
    public static string OwnsNothing(params string[] keys) =>
        $"the peer owns no address, so it could neither send nor receive: give it {string.Join(" or ", keys)}.";

    /// <summary>"already belongs to peer KEY (VIP)": the owner of a prefix, named so the user can find it in Get-TaltunStatus -Peer.</summary>
    public static string AlreadyBelongsTo(PublicKey owner, IPAddress? virtualIP) =>
        $"already belongs to peer {owner}{(virtualIP is null ? string.Empty : $" ({virtualIP})")}";

    public static string KeepaliveOutOfRange(TimeSpan keepalive) =>
        $"persistent keepalive {keepalive.TotalSeconds} s is out of range: use 0 (off) to {Limits.MaxPersistentKeepalive} seconds.";

    public static bool IsKeepaliveInRange(TimeSpan keepalive) =>
        keepalive >= TimeSpan.Zero && keepalive <= TimeSpan.FromSeconds(Limits.MaxPersistentKeepalive);
}
