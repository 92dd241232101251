namespace Taltun.Protocol;

/// <summary>
/// Timers (whitepaper 6, wireguard-go's timers.go): the hooks that protocol events call, and
/// <see cref="Tick"/>, which acts on the deadlines they set.
/// </summary>
internal sealed partial class ProtocolCore
{
    /// <summary>
    /// Runs <paramref name="peer"/>'s expired timers and wanted handshakes, one action per call: a
    /// handshake retry or rekey (an initiation), a keepalive, or erasing keys. Call until it
    /// returns Done. This is where initiations are made: the control thread calls it, never a data path.
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

            if (timers.ZeroKeyMaterial <= now)
            {
                timers.ZeroKeyMaterial = null;
                AbandonHandshakeLocked(peer);
                DestroyKeypairs(peer.TakeAllKeypairs());
                return ProtocolResult.Done;
            }

            if (timers.RetransmitHandshake <= now)
            {
                timers.RetransmitHandshake = null;
                if (timers.HandshakeAttempts >= ProtocolConstants.MaxHandshakeAttempts)
                {
                    GiveUpHandshakeLocked(peer, now);
                    return ProtocolResult.Done;
                }

                return InitiateLocked(peer, buffer, now);
            }

            if (timers.NewHandshake <= now)
            {
                timers.NewHandshake = null;
                peer.WantsHandshake = true;
            }

            if (peer.WantsHandshake)
            {
                peer.WantsHandshake = false;
                ProtocolResult initiation = TryInitiateLocked(peer, buffer, now);
                if (initiation.Kind != ResultKind.Done)
                {
                    return initiation;
                }
            }

            if (timers.SendKeepalive <= now)
            {
                timers.SendKeepalive = null;
            }
            else if (timers.PersistentKeepalive <= now)
            {
                timers.PersistentKeepalive = null;
            }
            else
            {
                return ProtocolResult.Done;
            }
        }

        // A keepalive is an empty transport packet; without a session it asks for a handshake instead.
        ProtocolResult keepalive = Encapsulate(peer, buffer, 0);
        if (keepalive.Kind == ResultKind.Done && peer.WantsHandshake)
        {
            peer.WantsHandshake = false;
            return Initiate(peer, buffer);
        }

        return keepalive;
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
        peer.Timers.HandshakeAttempts = 0;
        peer.Timers.ZeroKeyMaterial ??= now + ProtocolConstants.ZeroKeysAfter;
    }

    /// <summary>A transport packet (data or keepalive) went out with <paramref name="keypair"/>.</summary>
    private void OnTransportSent(Peer peer, Keypair keypair, ulong counter, int length, TimeSpan now)
    {
        peer.CountSent(EncapsulatedLength(length));
        lock (peer.HandshakeLock)
        {
            if (length > 0)
            {
                peer.Timers.OnDataSent(now);
            }

            peer.Timers.OnAuthenticatedPacketSent();
            peer.Timers.OnAuthenticatedPacketTraversal(now, peer.PersistentKeepalive);
        }

        if (counter >= ProtocolConstants.RekeyAfterMessages || (keypair.IsInitiator && now - keypair.Created >= ProtocolConstants.RekeyAfterTime))
        {
            peer.WantsHandshake = true;
        }
    }

    /// <summary>A transport packet of <paramref name="plaintextLength"/> bytes authenticated with <paramref name="keypair"/>.</summary>
    private static void OnTransportReceived(Peer peer, Keypair keypair, int plaintextLength, TimeSpan now)
    {
        lock (peer.HandshakeLock)
        {
            peer.Timers.OnAuthenticatedPacketReceived();
            peer.Timers.OnAuthenticatedPacketTraversal(now, peer.PersistentKeepalive);
            if (keypair.IsInitiator && !peer.Timers.RekeyedOnReceive && now - keypair.Created >= ProtocolConstants.RekeyOnReceiveAge)
            {
                peer.Timers.RekeyedOnReceive = true;
                peer.WantsHandshake = true;
            }

            if (plaintextLength > 0)
            {
                peer.Timers.OnDataReceived(now);
            }
        }
    }
}
