using System.Net;
using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Protocol;

namespace Taltun.Device;

/// <summary>A snapshot of a running tunnel: its identity (public key only), addresses, every peer, and what it relays between them ("all", "none", "rules (N)", or "off" when it is not a hub).</summary>
public sealed record TunnelStatus(
    string InterfaceName,
    PublicKey PublicKey,
    int ListenPort,
    IReadOnlyList<InterfaceAddress> Addresses,
    int Mtu,
    IReadOnlyList<IPNetwork> Routes,
    DateTimeOffset Started,
    IReadOnlyDictionary<DropReason, long> Drops,
    IReadOnlyList<PeerStatus> Peers,
    string Relay);
