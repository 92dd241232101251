namespace Taltun.Protocol;

/// <summary>What the caller of the protocol core must do next.</summary>
internal enum ResultKind
{
    /// <summary>Nothing to send or deliver (a keepalive arrived, a packet was queued, no timer fired).</summary>
    Done,

    /// <summary>Send output[Offset..Offset+Length] to the peer's endpoint.</summary>
    WriteToNetwork,

    /// <summary>Write output[Offset..Offset+Length], an IP packet, to the TUN device.</summary>
    WriteToTunnel,

    /// <summary>The input was rejected; <see cref="ProtocolResult.Reason"/> says why and it was counted.</summary>
    Dropped,
}

/// <summary>
/// The outcome of one call into the core. The bytes live in the caller's buffer; the result only
/// says where. <see cref="Peer"/> is the peer the message authenticated as, if any (for roaming
/// and statistics).
/// </summary>
internal readonly record struct ProtocolResult(ResultKind Kind, int Offset, int Length, DropReason Reason, Peer? Peer)
{
    public static readonly ProtocolResult Done = new(ResultKind.Done, 0, 0, DropReason.None, null);

    public static ProtocolResult Network(int offset, int length, Peer? peer) => new(ResultKind.WriteToNetwork, offset, length, DropReason.None, peer);

    public static ProtocolResult Tunnel(int offset, int length, Peer peer) => new(ResultKind.WriteToTunnel, offset, length, DropReason.None, peer);

    public static ProtocolResult Drop(DropReason reason, Peer? peer = null) => new(ResultKind.Dropped, 0, 0, reason, peer);

    public override string ToString() => Kind == ResultKind.Dropped ? $"Dropped({Reason})" : $"{Kind}({Length} bytes)";
}
