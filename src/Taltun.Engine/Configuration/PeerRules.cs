namespace Taltun.Configuration;

/// <summary>
/// The rules that hold between a tunnel and its peers, each stated once: the options' validation
/// (at start and for a peer added live) and the file reader (which adds the line) both use these
/// sentences, so a rule reads the same wherever it is broken.
/// </summary>
internal static class PeerRules
{
    public const string OwnKey = "this is the tunnel's own public key; a peer's public key is the other side's.";

    public const string ListedTwice = "is listed twice; each peer appears once.";

    public static string KeepaliveOutOfRange(TimeSpan keepalive) =>
        $"persistent keepalive {keepalive.TotalSeconds} s is out of range: use 0 (off) to {Limits.MaxPersistentKeepalive} seconds.";

    public static bool IsKeepaliveInRange(TimeSpan keepalive) =>
        keepalive >= TimeSpan.Zero && keepalive <= TimeSpan.FromSeconds(Limits.MaxPersistentKeepalive);
}
