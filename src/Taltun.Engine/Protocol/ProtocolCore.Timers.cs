namespace Taltun.Protocol;

/// <summary>
/// Timers (whitepaper 6, wireguard-go's timers.go): the hooks that protocol events call, and
/// <see cref="Tick"/>, which acts on the deadlines they set. The data-path hooks are lock-free;
/// they tell the scheduler only when a deadline appears that it cannot know of yet.
/// </summary>
internal sealed partial class ProtocolCore
{
    /// <summary>
    /// Runs <paramref name="peer"/>'s expired timers and wanted handshakes, one action per call: a
    /// handshake retry or a new initiation, a keepalive, or erasing keys. Call until it returns
    /// Done, then <see cref="TakeStaged"/> until Done. This is where initiations are made: the
    /// control thread calls it, never a data path.
    /// </summary>
    public ProtocolResult Tick(Peer peer, Span<byte> buffer)
    {
        TimeSpan now = Now;
        PeerTimers timers = peer.Timers;
        lock (peer.HandshakeLock)
        {
            if (peer.IsRemoved)
            {
                return ProtocolResult.Done;
            }

            if (timers.TryExpireZeroKeyMaterial(now))
            {
                AbandonHandshakeLocked(peer);
                DestroyKeypairs(peer.TakeAllKeypairs());
                return ProtocolResult.Done;
            }

            if (timers.TryExpireRetransmit(now))
            {
                if (timers.HandshakeAttempts > ProtocolConstants.MaxTimerHandshakes)
                {
                    GiveUpHandshakeLocked(peer, now);
                    return ProtocolResult.Done;
                }

                timers.OnRetry();
                return InitiateLocked(peer, buffer, now);
            }

            if (peer.TakeRetryAfterCookie() && peer.Handshake.State == HandshakeState.InitiationSent && !peer.Handshake.SentAgainWithCookie)
            {
                // A responder under load answered our initiation with a cookie: the same
                // initiation again, now with mac2, rather than a wait of RekeyTimeout.
                return ResendInitiationLocked(peer, buffer, now);
            }

            if (timers.TryExpireNewHandshake(now))
            {
                peer.TryWantHandshake();
            }

            if (peer.WantsHandshake)
            {
                ProtocolResult initiation = TryNewInitiationLocked(peer, buffer, now);
                if (initiation.Kind != ResultKind.Done)
                {
                    return initiation;
                }
            }

            if (!timers.TryExpireSendKeepalive(now) && !(timers.TryExpirePersistentKeepalive(now) && peer.PersistentKeepalive > TimeSpan.Zero))
            {
                return ProtocolResult.Done;
            }
        }

        // A keepalive is an empty transport packet; without a session it asks for a handshake instead.
        ProtocolResult keepalive = Encapsulate(peer, buffer, 0);
        if (keepalive.Kind == ResultKind.Done && peer.WantsHandshake)
        {
            lock (peer.HandshakeLock)
            {
                return TryNewInitiationLocked(peer, buffer, now);
            }
        }

        return keepalive;
    }

    /// <summary>
    /// When <paramref name="peer"/> next needs <see cref="Tick"/> or <see cref="TakeStaged"/>: its
    /// earliest timer, a wanted handshake (now, or when RekeyTimeout since the last one allows),
    /// staged packets with a session to send them; null if nothing is pending.
    /// </summary>
    public TimeSpan? NextDeadline(Peer peer)
    {
        if (peer.IsRemoved)
        {
            return null;
        }

        TimeSpan now = Now;
        TimeSpan? next = peer.Timers.Earliest;
        if (peer.RetryAfterCookie || (peer.StagedCount > 0 && peer.CurrentKeypair is { } keypair && CanSend(keypair, now)))
        {
            return now;
        }

        if (peer.WantsHandshake)
        {
            TimeSpan allowed = peer.Handshake.LastHandshakeSent is { } last ? last + ProtocolConstants.RekeyTimeout : now;
            next = next is { } earlier && earlier < allowed ? earlier : allowed;
        }

        return next;
    }

    /// <summary>RekeyAttemptTime has passed without an answer: drop what waited and give up until new traffic asks again.</summary>
    private void GiveUpHandshakeLocked(Peer peer, TimeSpan now)
    {
        int dropped = peer.ClearStaged();
        for (int i = 0; i < dropped; i++)
        {
            CountDrop(DropReason.HandshakeGaveUp, peer);
        }

        AbandonHandshakeLocked(peer);
        peer.ClearWantsHandshake();
        peer.Timers.OnHandshakeAbandoned();
        peer.Timers.CancelSendKeepalive();
        peer.Timers.OnResidueLeft(now);
    }

    /// <summary>Asks for a handshake with <paramref name="peer"/> soon (a peer kept alive is connected at once, as WireGuard does).</summary>
    public void RequestHandshake(Peer peer) => WantHandshake(peer, Now);

    /// <summary>Traffic wants a session (or a fresher one): tell the scheduler the first time it is asked.</summary>
    private void WantHandshake(Peer peer, TimeSpan now)
    {
        if (peer.TryWantHandshake())
        {
            _scheduler?.Wake(peer, now);
        }
    }

    /// <summary>The peer's deadlines changed on a control path: let the scheduler know the earliest.</summary>
    private void Reschedule(Peer peer)
    {
        if (_scheduler is not null && NextDeadline(peer) is { } next)
        {
            _scheduler.Wake(peer, next);
        }
    }

    /// <summary>A transport packet (data or keepalive) went out with <paramref name="keypair"/>. Lock-free: every packet passes here.</summary>
    private void OnTransportSent(Peer peer, Keypair keypair, ulong counter, int length, TimeSpan now)
    {
        peer.CountSent(EncapsulatedLength(length));
        PeerTimers timers = peer.Timers;
        if (length > 0 && timers.OnDataSent(now))
        {
            _scheduler?.Wake(peer, timers.NewHandshake ?? now);
        }

        timers.OnAuthenticatedPacketSent();
        if (timers.OnAuthenticatedPacketTraversal(now, peer.PersistentKeepalive))
        {
            _scheduler?.Wake(peer, now + peer.PersistentKeepalive);
        }

        if (counter >= ProtocolConstants.RekeyAfterMessages || (keypair.IsInitiator && now - keypair.Created >= ProtocolConstants.RekeyAfterTime))
        {
            WantHandshake(peer, now);
        }
    }

    /// <summary>A transport packet of <paramref name="plaintextLength"/> bytes authenticated with <paramref name="keypair"/>. Lock-free.</summary>
    private void OnTransportReceived(Peer peer, Keypair keypair, int plaintextLength, TimeSpan now)
    {
        PeerTimers timers = peer.Timers;
        timers.OnAuthenticatedPacketReceived();
        if (timers.OnAuthenticatedPacketTraversal(now, peer.PersistentKeepalive))
        {
            _scheduler?.Wake(peer, now + peer.PersistentKeepalive);
        }

        if (keypair.IsInitiator && now - keypair.Created >= ProtocolConstants.RekeyOnReceiveAge && timers.TryMarkRekeyedOnReceive())
        {
            WantHandshake(peer, now);
        }

        if (plaintextLength > 0 && timers.OnDataReceived(now))
        {
            _scheduler?.Wake(peer, now + ProtocolConstants.KeepaliveTimeout);
        }
    }

    /// <summary>The first packet on the session we answered for arrived (wireguard-go's ReceivedWithKeypair).</summary>
    private void OnNextSessionConfirmed(Peer peer, TimeSpan now)
    {
        peer.Timers.OnHandshakeComplete();
        peer.ClearWantsHandshake();
        if (peer.StagedCount > 0)
        {
            _scheduler?.Wake(peer, now);
        }
    }
}
