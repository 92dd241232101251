using System.Net;
using Taltun.Crypto;
using Taltun.Protocol;

namespace Taltun.Device;

/// <summary>A snapshot of one peer of a running tunnel (what <c>wg show</c> prints, plus drops by reason).</summary>
public sealed record PeerStatus(
    PublicKey PublicKey,
    IPAddress? VirtualIP,
    IPEndPoint? Endpoint,
    IReadOnlyList<IPNetwork> AllowedIps,
    DateTimeOffset? LatestHandshake,
    long RxBytes,
    long TxBytes,
    long RxPackets,
    long TxPackets,
    IReadOnlyDictionary<DropReason, long> Drops,
    TimeSpan PersistentKeepalive,
    bool HasPresharedKey);
