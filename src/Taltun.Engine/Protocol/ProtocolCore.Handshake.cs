using System.Security.Cryptography;
using Taltun.Crypto;
using static Taltun.Protocol.MessageLayout;

namespace Taltun.Protocol;

/// <summary>
/// Handshake messages (whitepaper 5.4): sending initiations, answering them, and consuming the
/// answers; each completed handshake installs a session. The Noise computations themselves are in
/// <see cref="NoiseHandshake"/>; this part holds the peer state around them, under the peer's HandshakeLock.
/// </summary>
internal sealed partial class ProtocolCore
{
    /// <summary>Starts a handshake now if the peer has an endpoint and none was sent in the last RekeyTimeout.</summary>
    public ProtocolResult Initiate(Peer peer, Span<byte> buffer)
    {
        lock (peer.HandshakeLock)
        {
            return TryNewInitiationLocked(peer, buffer, Now);
        }
    }

    private ProtocolResult ReceiveInitiation(Span<byte> message, ReadOnlySpan<byte> source, Span<byte> output, bool underLoad)
    {
        if (message.Length != InitiationSize)
        {
            return Dropped(DropReason.WrongSize, null);
        }

        if (!CheckMacs(message, InitiationMac1, source, output, underLoad, out ProtocolResult rejected))
        {
            return rejected;
        }

        DropReason reason = NoiseHandshake.ConsumeInitiation(Volatile.Read(ref _local), message, FindPeer, out Peer? peer, out PendingInitiation pending);
        if (reason != DropReason.None)
        {
            return Dropped(reason, peer);
        }

        TimeSpan now = Now;
        Span<byte> sendKey = stackalloc byte[Key32.Size];
        Span<byte> receiveKey = stackalloc byte[Key32.Size];
        try
        {
            lock (peer!.HandshakeLock)
            {
                if (peer.IsRemoved)
                {
                    return Dropped(DropReason.UnknownPeer, null);
                }

                if (!Tai64N.After(pending.Timestamp, peer.Handshake.LatestTimestamp))
                {
                    return Dropped(DropReason.ReplayedInitiation, peer);
                }

                if (peer.Handshake.LastInitiationConsumed is { } last && now - last < ProtocolConstants.MinInitiationInterval)
                {
                    return Dropped(DropReason.InitiationFlood, peer);
                }

                // Our own initiation in flight loses to theirs; its index goes.
                _indices.UnregisterHandshake(peer.Handshake.LocalIndex, peer);
                NoiseHandshake.CommitInitiation(peer, pending, now);
                uint localIndex = _indices.RegisterHandshake(peer);
                if (!NoiseHandshake.CreateResponse(peer, localIndex, output, sendKey, receiveKey, out uint remoteIndex))
                {
                    _indices.UnregisterHandshake(localIndex, peer);
                    return Dropped(DropReason.LowOrderKey, peer);
                }

                peer.Cookies.AddMacs(output[..ResponseSize], ResponseMac1, now);
                InstallSessionLocked(peer, sendKey, receiveKey, isInitiator: false, localIndex, remoteIndex, now);

                // The initiation counts as an authenticated packet received, the response as one
                // sent, and a response as a handshake sent: staged data waits for the initiator's
                // first packet instead of starting a handshake of its own within RekeyTimeout.
                peer.Handshake.LastHandshakeSent = now;
                peer.Timers.OnAuthenticatedPacketReceived();
                peer.Timers.OnAuthenticatedPacketSent();
                peer.Timers.OnAuthenticatedPacketTraversal(now, peer.PersistentKeepalive);
                peer.CountReceived(message.Length);
                peer.CountSent(ResponseSize);
            }
        }
        finally
        {
            pending.Erase();
            CryptographicOperations.ZeroMemory(sendKey);
            CryptographicOperations.ZeroMemory(receiveKey);
        }

        Reschedule(peer);
        return ProtocolResult.Network(0, ResponseSize, peer);
    }

    private ProtocolResult ReceiveResponse(Span<byte> message, ReadOnlySpan<byte> source, Span<byte> output, bool underLoad)
    {
        if (message.Length != ResponseSize)
        {
            return Dropped(DropReason.WrongSize, null);
        }

        if (!CheckMacs(message, ResponseMac1, source, output, underLoad, out ProtocolResult rejected))
        {
            return rejected;
        }

        if (!_indices.TryGet(ReadIndex(message, ResponseReceiver), out IndexEntry entry))
        {
            return Dropped(DropReason.UnknownReceiver, null);
        }

        if (entry.Keypair is not null)
        {
            // The handshake this answers already completed: a duplicate or a replay.
            return Dropped(DropReason.UnexpectedResponse, entry.Peer);
        }

        Peer peer = entry.Peer;
        TimeSpan now = Now;
        Span<byte> sendKey = stackalloc byte[Key32.Size];
        Span<byte> receiveKey = stackalloc byte[Key32.Size];
        try
        {
            lock (peer.HandshakeLock)
            {
                uint localIndex = peer.Handshake.LocalIndex;
                DropReason reason = NoiseHandshake.ConsumeResponse(Volatile.Read(ref _local), peer, message, sendKey, receiveKey, out uint remoteIndex);
                if (reason != DropReason.None)
                {
                    return Dropped(reason, peer);
                }

                InstallSessionLocked(peer, sendKey, receiveKey, isInitiator: true, localIndex, remoteIndex, now);
                peer.Timers.OnAuthenticatedPacketReceived();
                peer.Timers.OnAuthenticatedPacketTraversal(now, peer.PersistentKeepalive);
                peer.CountReceived(message.Length);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sendKey);
            CryptographicOperations.ZeroMemory(receiveKey);
        }

        // Confirm the session to the responder at once; staged packets follow via TakeStaged.
        ProtocolResult confirmation = Encapsulate(peer, output, 0);
        Reschedule(peer);
        return confirmation;
    }

    /// <summary>
    /// A handshake completed: its index now names the new session, which joins the peer's
    /// rotation (the initiator sends with it at once; the responder waits for the first packet).
    /// </summary>
    private void InstallSessionLocked(Peer peer, ReadOnlySpan<byte> sendKey, ReadOnlySpan<byte> receiveKey, bool isInitiator, uint localIndex, uint remoteIndex, TimeSpan now)
    {
        var keypair = new Keypair(sendKey, receiveKey, isInitiator, localIndex, remoteIndex, now);
        _indices.BindSession(localIndex, peer, keypair);
        DestroyKeypairs(isInitiator ? peer.InstallAsInitiator(keypair) : peer.InstallAsResponder(keypair));
        peer.MarkHandshake(_time.GetUtcNow());
        if (isInitiator)
        {
            // The responder's side completes with the initiator's first packet (OnNextSessionConfirmed).
            peer.Timers.OnHandshakeComplete();
            peer.ClearWantsHandshake();
        }

        peer.Timers.OnSessionDerived(now);
    }

    /// <summary>
    /// A new initiation, not a retry, for traffic that wants a session: the attempts start over
    /// (as wireguard-go counts them) and one goes out unless a handshake message went out less than
    /// RekeyTimeout ago; then the wish stays, and <see cref="NextDeadline"/> says when it may go.
    /// </summary>
    private ProtocolResult TryNewInitiationLocked(Peer peer, Span<byte> buffer, TimeSpan now)
    {
        if (peer.IsRemoved || peer.Endpoint is null || buffer.Length < InitiationSize)
        {
            // Nowhere to send it: a roaming client is reached once it writes first.
            peer.ClearWantsHandshake();
            return ProtocolResult.Done;
        }

        peer.Timers.OnNewHandshakeWanted();
        if (peer.Handshake.LastHandshakeSent is { } last && now - last < ProtocolConstants.RekeyTimeout)
        {
            return ProtocolResult.Done;
        }

        peer.ClearWantsHandshake();
        return InitiateLocked(peer, buffer, now);
    }

    private ProtocolResult InitiateLocked(Peer peer, Span<byte> buffer, TimeSpan now)
    {
        _indices.UnregisterHandshake(peer.Handshake.LocalIndex, peer);
        uint index = _indices.RegisterHandshake(peer);
        if (!NoiseHandshake.CreateInitiation(Volatile.Read(ref _local), peer, index, _time.GetUtcNow(), buffer))
        {
            _indices.UnregisterHandshake(index, peer);
            return Dropped(DropReason.LowOrderKey, peer);
        }

        buffer[..InitiationMac1].CopyTo(peer.Handshake.SentInitiation ??= new byte[InitiationMac1]);
        peer.Handshake.SentAgainWithCookie = false;
        return SendInitiationLocked(peer, buffer, now);
    }

    /// <summary>
    /// The initiation in flight again, now with the mac2 of the cookie a responder under load
    /// sent: the same ephemeral key, timestamp and index. The responder made no Diffie-Hellman for
    /// it (a cookie reply costs none), so it is new to the responder; if it did answer the first
    /// after all, the copy is a replayed timestamp and dropped, and that answer still completes.
    /// Once per initiation: the same mac1 makes a replayed cookie reply decrypt again.
    /// </summary>
    private static ProtocolResult ResendInitiationLocked(Peer peer, Span<byte> buffer, TimeSpan now)
    {
        peer.Handshake.SentAgainWithCookie = true;
        peer.Handshake.SentInitiation!.CopyTo(buffer); // InitiationSent: InitiateLocked kept it
        return SendInitiationLocked(peer, buffer, now);
    }

    /// <summary>Adds the macs to the initiation in <paramref name="buffer"/> and notes that it went out.</summary>
    private static ProtocolResult SendInitiationLocked(Peer peer, Span<byte> buffer, TimeSpan now)
    {
        peer.Cookies.AddMacs(buffer[..InitiationSize], InitiationMac1, now);
        peer.Handshake.LastHandshakeSent = now;
        peer.Timers.OnHandshakeInitiated(now);
        peer.Timers.OnAuthenticatedPacketSent();
        peer.Timers.OnAuthenticatedPacketTraversal(now, peer.PersistentKeepalive);
        peer.CountSent(InitiationSize);
        return ProtocolResult.Network(0, InitiationSize, peer);
    }
}
