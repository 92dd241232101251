namespace Taltun.Protocol;

/// <summary>
/// The deadlines of one peer's protocol timers (whitepaper 6.2-6.5, wireguard-go's timers.go),
/// as points on the core's clock. Each protocol event has one hook; <see cref="Peer"/> calls the
/// hooks and the core's Tick acts on expired deadlines. Guarded by the peer's timer lock.
/// </summary>
internal sealed class PeerTimers
{
    /// <summary>Resend the initiation if no response came (RekeyTimeout + jitter).</summary>
    public TimeSpan? RetransmitHandshake;

    /// <summary>Send a keepalive if we received data and sent nothing back (KeepaliveTimeout).</summary>
    public TimeSpan? SendKeepalive;

    /// <summary>Start a new handshake if we sent data and heard nothing (KeepaliveTimeout + RekeyTimeout).</summary>
    public TimeSpan? NewHandshake;

    /// <summary>Erase every key after 3 × RejectAfterTime without a new session.</summary>
    public TimeSpan? ZeroKeyMaterial;

    /// <summary>The user's persistent keepalive, reset by every authenticated packet either way.</summary>
    public TimeSpan? PersistentKeepalive;

    /// <summary>Initiations sent since the last completed handshake.</summary>
    public int HandshakeAttempts;

    /// <summary>An initiator's session near RejectAfterTime triggers one handshake on receive.</summary>
    public bool RekeyedOnReceive;

    public void OnHandshakeInitiated(TimeSpan now, TimeSpan jitter) =>
        RetransmitHandshake = now + ProtocolConstants.RekeyTimeout + jitter;

    public void OnHandshakeComplete()
    {
        RetransmitHandshake = null;
        HandshakeAttempts = 0;
        RekeyedOnReceive = false;
    }

    public void OnSessionDerived(TimeSpan now) => ZeroKeyMaterial = now + ProtocolConstants.ZeroKeysAfter;

    public void OnDataSent(TimeSpan now) => NewHandshake ??= now + ProtocolConstants.KeepaliveTimeout + ProtocolConstants.RekeyTimeout;

    public void OnDataReceived(TimeSpan now) => SendKeepalive ??= now + ProtocolConstants.KeepaliveTimeout;

    public void OnAuthenticatedPacketSent() => SendKeepalive = null;

    public void OnAuthenticatedPacketReceived() => NewHandshake = null;

    public void OnAuthenticatedPacketTraversal(TimeSpan now, TimeSpan persistentKeepalive) =>
        PersistentKeepalive = persistentKeepalive > TimeSpan.Zero ? now + persistentKeepalive : null;

    public void Clear()
    {
        RetransmitHandshake = null;
        SendKeepalive = null;
        NewHandshake = null;
        ZeroKeyMaterial = null;
        PersistentKeepalive = null;
        HandshakeAttempts = 0;
        RekeyedOnReceive = false;
    }
}
