using System.Collections.Concurrent;
using System.Security.Cryptography;
using Taltun.Crypto;
using Taltun.Routing;
using static Taltun.Protocol.MessageLayout;

namespace Taltun.Protocol;

/// <summary>
/// The WireGuard protocol for one local identity, without I/O: the device hands it datagrams,
/// packets and clock ticks, and it answers with what to send where (a <see cref="ProtocolResult"/>
/// pointing into the caller's buffer). Transport packets are encrypted and decrypted in place
/// with no allocation; handshakes, cookies and timers follow the whitepaper and wireguard-go.
///
/// Stages, as the device drives them:
///   outgoing: <see cref="Route"/> (AllowedIPs by destination) → <see cref="Encapsulate"/>
///   incoming: <see cref="Receive"/> (handshake, cookie reply, or transport → replay and source checks)
///   after a handshake completes: <see cref="TakeStaged"/> until Done
///   timers: <see cref="Tick"/> for each peer until Done, a few times a second
///
/// Thread-safe: any number of threads may call any method. Data-path lookups are lock-free;
/// handshakes lock their peer only.
/// </summary>
public sealed class ProtocolCore : IDisposable
{
    /// <summary>The smallest buffer every method accepts: room for an initiation.</summary>
    public const int MinBufferSize = InitiationSize;

    private readonly LocalIdentity _local;
    private readonly CookieChecker _cookieChecker;
    private readonly RateLimiter _rateLimiter = new();
    private readonly TimeProvider _time;
    private readonly long _epoch;
    private readonly ConcurrentDictionary<PublicKey, Peer> _peers = new();
    private readonly ConcurrentDictionary<uint, IndexEntry> _indices = new();

    public ProtocolCore(PrivateKey privateKey, TimeProvider time, int mtu = 1420)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mtu, 576);
        _local = new LocalIdentity(privateKey);
        _time = time;
        _epoch = time.GetTimestamp();
        _cookieChecker = new CookieChecker(_local.PublicKey, time);
        Mtu = mtu;
    }

    public PublicKey PublicKey => _local.PublicKey;

    /// <summary>The tunnel MTU: plaintext is padded to a multiple of 16 but never beyond it.</summary>
    public int Mtu { get; }

    /// <summary>Cryptokey routing: which peer owns which addresses.</summary>
    public AllowedIps<Peer> AllowedIps { get; } = new();

    /// <summary>Drops that belong to no peer (garbage, unknown peers, bad macs) and all others too.</summary>
    public DropCounters Drops { get; } = new();

    /// <summary>Set by the device when handshakes queue up: then initiations need a valid cookie (mac2).</summary>
    public bool UnderLoad { get; set; }

    public ICollection<Peer> Peers => _peers.Values;

    private TimeSpan Now => _time.GetElapsedTime(_epoch);

    public Peer AddPeer(PublicKey publicKey, PresharedKey? presharedKey = null, TimeSpan persistentKeepalive = default)
    {
        if (publicKey == _local.PublicKey)
        {
            throw new ArgumentException("A peer cannot have this tunnel's own public key.", nameof(publicKey));
        }

        var staticStatic = new byte[Key32.Size];
        X25519.Agree(_local.NsecKey, publicKey, staticStatic);
        var peer = new Peer(publicKey, presharedKey, persistentKeepalive, staticStatic);
        if (!_peers.TryAdd(publicKey, peer))
        {
            throw new ArgumentException($"Peer {publicKey} is already configured.", nameof(publicKey));
        }

        return peer;
    }

    public Peer? FindPeer(PublicKey publicKey) => _peers.TryGetValue(publicKey, out Peer? peer) ? peer : null;

    /// <summary>Removes a peer, its addresses and sessions; its keys are erased.</summary>
    public bool RemovePeer(PublicKey publicKey)
    {
        if (!_peers.TryRemove(publicKey, out Peer? peer))
        {
            return false;
        }

        AllowedIps.RemoveAll(peer);
        lock (peer.HandshakeLock)
        {
            peer.IsRemoved = true;
            Unregister(peer.Handshake.LocalIndex, peer);
            peer.Handshake.Clear();
            peer.Timers.Clear();
        }

        DestroyKeypairs(peer.TakeAllKeypairs());
        peer.ClearStaged();
        return true;
    }

    /// <summary>The peer an outgoing IP packet goes to, by its destination address; null if none.</summary>
    public Peer? Route(ReadOnlySpan<byte> packet) => AllowedIps.Lookup(IpPacket.Destination(packet));

    /// <summary>
    /// Encrypts the IP packet at buffer[16..16+length] for <paramref name="peer"/> in place.
    /// The buffer needs <see cref="TransportOverhead"/> bytes beyond the packet (and at least
    /// <see cref="MinBufferSize"/>). Without a usable session the packet is staged and, if one is
    /// due, an initiation is written to the buffer instead — or, with
    /// <paramref name="initiateInline"/> false (the device's data path, which never does
    /// Diffie-Hellman), the result is Done and <see cref="NeedsHandshake"/> tells the caller to let
    /// its handshake thread call <see cref="Tick"/>.
    /// </summary>
    public ProtocolResult Encapsulate(Peer peer, Span<byte> buffer, int length, bool initiateInline = true)
    {
        int padded = PaddedLength(length);
        if (length < 0 || length > Mtu || buffer.Length < Math.Max(MinBufferSize, TransportHeaderSize + padded + TagSize))
        {
            return Dropped(DropReason.PacketTooBig, peer);
        }

        TimeSpan now = Now;
        Keypair? keypair = peer.CurrentKeypair;
        if (keypair is not null && CanSend(keypair, now) && keypair.TryNextSendCounter(out ulong counter))
        {
            buffer.Slice(TransportHeaderSize + length, padded - length).Clear();
            if (!TrySeal(keypair, counter, buffer, padded))
            {
                return Dropped(DropReason.ExpiredSession, peer);
            }

            OnTransportSent(peer, keypair, counter, length, now);
            return ProtocolResult.Network(0, TransportHeaderSize + padded + TagSize, peer);
        }

        if (length > 0 && !peer.Stage(buffer.Slice(TransportHeaderSize, length)))
        {
            CountDrop(DropReason.QueueFull, peer);
        }

        if (!initiateInline)
        {
            peer.WantsHandshake = true;
            return new ProtocolResult(ResultKind.Done, 0, 0, DropReason.None, peer);
        }

        return TryInitiate(peer, buffer, now, isRetry: false);
    }

    /// <summary>True if the peer has traffic waiting for a handshake that <see cref="Tick"/> should start.</summary>
    public static bool NeedsHandshake(Peer peer) => peer.WantsHandshake;

    /// <summary>
    /// Handles one datagram from the network, at datagram[0..length]. Transport packets are
    /// decrypted in place: a WriteToTunnel result points into <paramref name="datagram"/>. Replies
    /// (responses, cookie replies, keepalives) are written to <paramref name="output"/>, and a
    /// WriteToNetwork result points there. <paramref name="source"/> is the sender's IP address
    /// (4 or 16 bytes) followed by its port (2 bytes, big-endian): cookies are bound to both,
    /// the rate limit under load to the address.
    /// </summary>
    public ProtocolResult Receive(Span<byte> datagram, int length, ReadOnlySpan<byte> source, Span<byte> output)
    {
        if (length < 4 || length > datagram.Length)
        {
            return Dropped(DropReason.TooShort, null);
        }

        Span<byte> message = datagram[..length];
        try
        {
            return ReadType(message) switch
            {
                MessageType.Transport => ReceiveTransport(message, datagram),
                MessageType.Initiation => ReceiveInitiation(message, source, output),
                MessageType.Response => ReceiveResponse(message, source, output),
                MessageType.CookieReply => ReceiveCookieReply(message),
                _ => Dropped(DropReason.UnknownType, null),
            };
        }
        catch (ObjectDisposedException)
        {
            // A session erased by another thread between lookup and use (rekey, removal, shutdown).
            return Dropped(DropReason.ExpiredSession, null);
        }
    }

    /// <summary>Encrypts the next packet staged for <paramref name="peer"/> into <paramref name="buffer"/>; Done when none is left or no session exists.</summary>
    public ProtocolResult TakeStaged(Peer peer, Span<byte> buffer)
    {
        Keypair? keypair = peer.CurrentKeypair;
        if (keypair is null || !CanSend(keypair, Now) || buffer.Length < TransportHeaderSize + Mtu + TransportOverhead)
        {
            return ProtocolResult.Done;
        }

        int length = peer.Unstage(buffer[TransportHeaderSize..]);
        return length < 0 ? ProtocolResult.Done : Encapsulate(peer, buffer, length, initiateInline: false);
    }

    /// <summary>
    /// Runs <paramref name="peer"/>'s expired timers, one action per call: a handshake retry or
    /// rekey (an initiation), a keepalive, or erasing keys. Call until it returns Done.
    /// </summary>
    public ProtocolResult Tick(Peer peer, Span<byte> buffer)
    {
        TimeSpan now = Now;
        PeerTimers timers = peer.Timers;
        bool sendKeepalive = false;
        lock (peer.HandshakeLock)
        {
            if (peer.IsRemoved)
            {
                return ProtocolResult.Done;
            }

            if (timers.ZeroKeyMaterial <= now)
            {
                timers.ZeroKeyMaterial = null;
                Unregister(peer.Handshake.LocalIndex, peer);
                peer.Handshake.Clear();
                DestroyKeypairs(peer.TakeAllKeypairs());
                return ProtocolResult.Done;
            }

            if (timers.RetransmitHandshake <= now)
            {
                timers.RetransmitHandshake = null;
                if (timers.HandshakeAttempts >= ProtocolConstants.MaxHandshakeAttempts)
                {
                    // RekeyAttemptTime has passed without an answer: give up until new traffic asks again.
                    int dropped = peer.ClearStaged();
                    for (int i = 0; i < dropped; i++)
                    {
                        CountDrop(DropReason.HandshakeGaveUp, peer);
                    }

                    Unregister(peer.Handshake.LocalIndex, peer);
                    peer.Handshake.Clear();
                    timers.HandshakeAttempts = 0;
                    timers.ZeroKeyMaterial ??= now + ProtocolConstants.ZeroKeysAfter;
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
                ProtocolResult initiation = TryInitiateLocked(peer, buffer, now, isRetry: false);
                if (initiation.Kind != ResultKind.Done)
                {
                    return initiation;
                }
            }

            if (timers.SendKeepalive <= now)
            {
                timers.SendKeepalive = null;
                sendKeepalive = true;
            }
            else if (timers.PersistentKeepalive <= now)
            {
                timers.PersistentKeepalive = null;
                sendKeepalive = true;
            }
        }

        return sendKeepalive ? Encapsulate(peer, buffer, 0) : ProtocolResult.Done;
    }

    /// <summary>Starts a handshake now if the peer has an endpoint and none was sent in the last RekeyTimeout.</summary>
    public ProtocolResult Initiate(Peer peer, Span<byte> buffer) => TryInitiate(peer, buffer, Now, isRetry: false);

    public void Dispose()
    {
        foreach (Peer peer in _peers.Values.ToList())
        {
            RemovePeer(peer.PublicKey);
        }

        _local.Dispose();
    }

    private ProtocolResult ReceiveTransport(Span<byte> message, Span<byte> datagram)
    {
        if (message.Length < KeepaliveSize)
        {
            return Dropped(DropReason.TooShort, null);
        }

        if (!_indices.TryGetValue(ReadIndex(message, TransportReceiver), out IndexEntry entry) || entry.Keypair is not { } keypair)
        {
            return Dropped(DropReason.UnknownReceiver, null);
        }

        Peer peer = entry.Peer;
        TimeSpan now = Now;
        ulong counter = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(message[TransportCounter..]);
        if (now - keypair.Created >= ProtocolConstants.RejectAfterTime || keypair.IsDisposed)
        {
            return Dropped(DropReason.ExpiredSession, peer);
        }

        if (counter >= ProtocolConstants.RejectAfterMessages)
        {
            return Dropped(DropReason.CounterLimit, peer);
        }

        int plaintextLength = message.Length - TransportHeaderSize - TagSize;
        Span<byte> payload = datagram[TransportHeaderSize..message.Length];
        if (!keypair.Open(counter, payload, payload))
        {
            return Dropped(DropReason.BadTag, peer);
        }

        if (!keypair.TryAcceptCounter(counter))
        {
            return Dropped(DropReason.ReplayedCounter, peer);
        }

        if (peer.NextKeypair == keypair)
        {
            DestroyKeypairs(peer.ConfirmNext(keypair));
        }

        peer.CountReceived(message.Length);
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

        if (plaintextLength == 0)
        {
            return new ProtocolResult(ResultKind.Done, 0, 0, DropReason.None, peer);
        }

        ReadOnlySpan<byte> packet = datagram.Slice(TransportHeaderSize, plaintextLength);
        int declared = IpPacket.DeclaredLength(packet);
        if (declared == 0 || declared > plaintextLength)
        {
            return Dropped(DropReason.NotIpPacket, peer);
        }

        if (AllowedIps.Lookup(IpPacket.Source(packet)) != peer)
        {
            return Dropped(DropReason.WrongSource, peer);
        }

        return ProtocolResult.Tunnel(TransportHeaderSize, declared, peer);
    }

    private ProtocolResult ReceiveInitiation(Span<byte> message, ReadOnlySpan<byte> source, Span<byte> output)
    {
        if (message.Length != InitiationSize)
        {
            return Dropped(DropReason.WrongSize, null);
        }

        if (CheckMacs(message, InitiationMac1, source, output, out ProtocolResult rejected) is false)
        {
            return rejected;
        }

        DropReason reason = NoiseHandshake.ConsumeInitiation(_local, message, FindPeer, out Peer? peer, out PendingInitiation pending);
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
                Unregister(peer.Handshake.LocalIndex, peer);
                NoiseHandshake.CommitInitiation(peer, pending, now);
                uint localIndex = RegisterIndex(new IndexEntry(peer, null));
                if (!NoiseHandshake.CreateResponse(peer, localIndex, output, sendKey, receiveKey, out uint remoteIndex))
                {
                    Unregister(localIndex, peer);
                    return Dropped(DropReason.LowOrderKey, peer);
                }

                peer.Cookies.AddMacs(output[..ResponseSize], ResponseMac1, now);
                var keypair = new Keypair(sendKey, receiveKey, isInitiator: false, localIndex, remoteIndex, now);
                _indices[localIndex] = new IndexEntry(peer, keypair);
                DestroyKeypairs(peer.InstallAsResponder(keypair));
                peer.MarkHandshake(_time.GetUtcNow());
                peer.Timers.OnSessionDerived(now);
                peer.Timers.OnAuthenticatedPacketTraversal(now, peer.PersistentKeepalive);
                peer.CountReceived(message.Length);
                peer.CountSent(ResponseSize);
                return ProtocolResult.Network(0, ResponseSize, peer);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sendKey);
            CryptographicOperations.ZeroMemory(receiveKey);
        }
    }

    private ProtocolResult ReceiveResponse(Span<byte> message, ReadOnlySpan<byte> source, Span<byte> output)
    {
        if (message.Length != ResponseSize)
        {
            return Dropped(DropReason.WrongSize, null);
        }

        if (CheckMacs(message, ResponseMac1, source, output, out ProtocolResult rejected) is false)
        {
            return rejected;
        }

        if (!_indices.TryGetValue(ReadIndex(message, ResponseReceiver), out IndexEntry entry))
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
                DropReason reason = NoiseHandshake.ConsumeResponse(_local, peer, message, sendKey, receiveKey, out uint remoteIndex);
                if (reason != DropReason.None)
                {
                    return Dropped(reason, peer);
                }

                var keypair = new Keypair(sendKey, receiveKey, isInitiator: true, localIndex, remoteIndex, now);
                _indices[localIndex] = new IndexEntry(peer, keypair);
                DestroyKeypairs(peer.InstallAsInitiator(keypair));
                peer.MarkHandshake(_time.GetUtcNow());
                peer.Timers.OnHandshakeComplete();
                peer.Timers.OnSessionDerived(now);
                peer.Timers.OnAuthenticatedPacketReceived();
                peer.CountReceived(message.Length);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sendKey);
            CryptographicOperations.ZeroMemory(receiveKey);
        }

        // Confirm the session to the responder at once; staged packets follow via TakeStaged.
        return Encapsulate(peer, output, 0);
    }

    private ProtocolResult ReceiveCookieReply(Span<byte> message)
    {
        if (message.Length != CookieReplySize)
        {
            return Dropped(DropReason.WrongSize, null);
        }

        if (!_indices.TryGetValue(ReadIndex(message, CookieReplyReceiver), out IndexEntry entry))
        {
            return Dropped(DropReason.UnknownReceiver, null);
        }

        return entry.Peer.Cookies.ConsumeReply(message, Now)
            ? new ProtocolResult(ResultKind.Done, 0, 0, DropReason.None, entry.Peer)
            : Dropped(DropReason.BadCookieReply, entry.Peer);
    }

    /// <summary>mac1 always; under load also mac2 (a missing one is answered with a cookie reply) and the per-address rate limit.</summary>
    private bool CheckMacs(ReadOnlySpan<byte> message, int mac1Offset, ReadOnlySpan<byte> source, Span<byte> output, out ProtocolResult rejected)
    {
        rejected = default;
        if (!_cookieChecker.CheckMac1(message, mac1Offset))
        {
            rejected = Dropped(DropReason.BadMac1, null);
            return false;
        }

        if (UnderLoad && !_cookieChecker.CheckMac2(message, mac1Offset + MacSize, source))
        {
            int length = _cookieChecker.CreateReply(message, mac1Offset, ReadIndex(message, 4), source, output);
            Drops.Add(DropReason.BadMac2);
            rejected = ProtocolResult.Network(0, length, null);
            return false;
        }

        if (UnderLoad && !_rateLimiter.Allow(source[..Math.Max(0, source.Length - 2)], Now))
        {
            rejected = Dropped(DropReason.RateLimited, null);
            return false;
        }

        return true;
    }

    private ProtocolResult TryInitiate(Peer peer, Span<byte> buffer, TimeSpan now, bool isRetry)
    {
        lock (peer.HandshakeLock)
        {
            return TryInitiateLocked(peer, buffer, now, isRetry);
        }
    }

    private ProtocolResult TryInitiateLocked(Peer peer, Span<byte> buffer, TimeSpan now, bool isRetry)
    {
        if (peer.IsRemoved || peer.Endpoint is null || buffer.Length < InitiationSize)
        {
            return ProtocolResult.Done;
        }

        Handshake hs = peer.Handshake;
        if (!isRetry && hs.LastInitiationSent is { } last && now - last < ProtocolConstants.RekeyTimeout)
        {
            return ProtocolResult.Done;
        }

        return InitiateLocked(peer, buffer, now);
    }

    private ProtocolResult InitiateLocked(Peer peer, Span<byte> buffer, TimeSpan now)
    {
        Unregister(peer.Handshake.LocalIndex, peer);
        uint index = RegisterIndex(new IndexEntry(peer, null));
        if (!NoiseHandshake.CreateInitiation(_local, peer, index, _time.GetUtcNow(), buffer))
        {
            Unregister(index, peer);
            return Dropped(DropReason.LowOrderKey, peer);
        }

        peer.Cookies.AddMacs(buffer[..InitiationSize], InitiationMac1, now);
        peer.Handshake.LastInitiationSent = now;
        peer.Timers.HandshakeAttempts++;
        peer.Timers.OnHandshakeInitiated(now, TimeSpan.FromMilliseconds(Random.Shared.Next((int)ProtocolConstants.RekeyTimeoutJitterMax.TotalMilliseconds)));
        peer.CountSent(InitiationSize);
        return ProtocolResult.Network(0, InitiationSize, peer);
    }

    private bool CanSend(Keypair keypair, TimeSpan now) =>
        !keypair.IsDisposed && now - keypair.Created < ProtocolConstants.RejectAfterTime && keypair.SendCount < ProtocolConstants.RejectAfterMessages;

    private static bool TrySeal(Keypair keypair, ulong counter, Span<byte> buffer, int padded)
    {
        try
        {
            Span<byte> payload = buffer[TransportHeaderSize..];
            keypair.Seal(counter, payload[..padded], payload);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        WriteType(buffer, MessageType.Transport);
        WriteIndex(buffer, TransportReceiver, keypair.RemoteIndex);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(buffer[TransportCounter..], counter);
        return true;
    }

    private void OnTransportSent(Peer peer, Keypair keypair, ulong counter, int length, TimeSpan now)
    {
        peer.CountSent(TransportHeaderSize + PaddedLength(length) + TagSize);
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

    /// <summary>The size of the transport message <see cref="Encapsulate"/> makes of a <paramref name="length"/>-byte packet.</summary>
    public int EncapsulatedLength(int length) => TransportHeaderSize + PaddedLength(length) + TagSize;

    /// <summary>Pads to a multiple of 16, but not past the MTU (a full-size packet is not padded further).</summary>
    private int PaddedLength(int length)
    {
        int padded = (length + 15) & ~15;
        return Math.Max(length, Math.Min(padded, Mtu));
    }

    private uint RegisterIndex(IndexEntry entry)
    {
        Span<byte> random = stackalloc byte[4];
        while (true)
        {
            RandomNumberGenerator.Fill(random);
            uint index = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(random);
            if (index != 0 && _indices.TryAdd(index, entry))
            {
                return index;
            }
        }
    }

    private void Unregister(uint index, Peer peer)
    {
        if (index != 0 && _indices.TryGetValue(index, out IndexEntry entry) && entry.Peer == peer && entry.Keypair is null)
        {
            _indices.TryRemove(index, out _);
        }
    }

    private void DestroyKeypairs(IEnumerable<Keypair>? keypairs)
    {
        if (keypairs is null)
        {
            return;
        }

        foreach (Keypair keypair in keypairs)
        {
            _indices.TryRemove(keypair.LocalIndex, out _);
            keypair.Dispose();
        }
    }

    private void DestroyKeypairs(Keypair? keypair)
    {
        if (keypair is not null)
        {
            DestroyKeypairs([keypair]);
        }
    }

    private ProtocolResult Dropped(DropReason reason, Peer? peer)
    {
        CountDrop(reason, peer);
        return ProtocolResult.Drop(reason, peer);
    }

    /// <summary>Counts a drop for the tunnel and, if known, the peer: the device uses it for what happens outside the core.</summary>
    internal void CountDrop(DropReason reason, Peer? peer)
    {
        Drops.Add(reason);
        peer?.Drops.Add(reason);
    }

    /// <summary>What a local index stands for: a handshake in progress (no keypair yet) or a session.</summary>
    private readonly record struct IndexEntry(Peer Peer, Keypair? Keypair);
}
