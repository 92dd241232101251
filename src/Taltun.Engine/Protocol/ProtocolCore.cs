using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
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
///     (without a session the packet is staged and <see cref="NeedsHandshake"/> turns true)
///   incoming: <see cref="Classify"/> → <see cref="Receive(Span{byte}, int, ReadOnlySpan{byte}, Span{byte})"/> (handshake, cookie reply, or
///     transport → replay and source checks)
///   after a handshake completes: <see cref="TakeStaged"/> until Done
///   timers and wanted handshakes: <see cref="Tick"/> for each peer until Done, a few times a second
///
/// One file per job: this one holds the peers and the entry points; ProtocolCore.Transport.cs,
/// .Handshake.cs, .Cookies.cs and .Timers.cs hold the rest, .Changes.cs what changes while it
/// runs (key, peers' settings), and <see cref="IndexTable"/> the receiver indices.
///
/// Thread-safe: any number of threads may call any method. Data-path lookups are lock-free;
/// handshakes lock their peer only.
/// </summary>
internal sealed partial class ProtocolCore : IDisposable
{
    /// <summary>The smallest buffer every method accepts: room for an initiation.</summary>
    public const int MinBufferSize = InitiationSize;

    // Replaced whole when the private key changes; each operation reads them once.
    private LocalIdentity _local;
    private CookieChecker _cookieChecker;
    private readonly RateLimiter _rateLimiter = new();
    private readonly TimeProvider _time;
    private readonly long _epoch;
    private readonly ConcurrentDictionary<PublicKey, Peer> _peers = new();
    private readonly IndexTable _indices = new();
    private readonly IPeerScheduler? _scheduler;

    /// <summary>
    /// A core for <paramref name="privateKey"/>; the tunnel MTU comes validated from the options.
    /// With a <paramref name="scheduler"/> the core says when each peer needs <see cref="Tick"/>;
    /// without one (tests) the caller ticks peers when it likes.
    /// </summary>
    public ProtocolCore(PrivateKey privateKey, TimeProvider time, int mtu = 1420, IPeerScheduler? scheduler = null)
    {
        _local = new LocalIdentity(privateKey);
        _time = time;
        _epoch = time.GetTimestamp();
        _cookieChecker = new CookieChecker(_local.PublicKey, time);
        _scheduler = scheduler;
        Mtu = mtu;
    }

    public PublicKey PublicKey => Volatile.Read(ref _local).PublicKey;

    /// <summary>The tunnel MTU: plaintext is padded to a multiple of 16 but never beyond it.</summary>
    public int Mtu { get; }

    /// <summary>Cryptokey routing: which peer owns which addresses.</summary>
    public AllowedIps<Peer> AllowedIps { get; } = new();

    /// <summary>Drops that belong to no peer (garbage, unknown peers, bad macs) and all others too.</summary>
    public DropCounters Drops { get; } = new();

    /// <summary>
    /// Whether <see cref="Receive(Span{byte}, int, ReadOnlySpan{byte}, Span{byte})"/> treats the
    /// tunnel as under load: then initiations need a valid cookie (mac2). For a single caller; the
    /// device's handshake threads pass their own decision per message instead.
    /// </summary>
    public bool UnderLoad { get; set; }

    public ICollection<Peer> Peers => _peers.Values;

    /// <summary>The core's clock: the time since it was created. Timer deadlines are on this clock.</summary>
    public TimeSpan Now => _time.GetElapsedTime(_epoch);

    /// <summary>
    /// Adds a peer and computes its static-static secret; false (and no peer) if one with this key
    /// is already there. The options layer has checked the peer itself (not our own key, ...).
    /// </summary>
    public bool TryAddPeer(PublicKey publicKey, PresharedKey? presharedKey, TimeSpan persistentKeepalive, [NotNullWhen(true)] out Peer? peer) =>
        TryAddPeer(publicKey, presharedKey, persistentKeepalive, StaticStaticOf(publicKey), out peer);

    /// <summary>As <see cref="TryAddPeer(PublicKey, PresharedKey?, TimeSpan, out Peer?)"/>, with the peer's <see cref="StaticStaticOf"/> computed already.</summary>
    public bool TryAddPeer(PublicKey publicKey, PresharedKey? presharedKey, TimeSpan persistentKeepalive, byte[] staticStatic, [NotNullWhen(true)] out Peer? peer)
    {
        var added = new Peer(publicKey, presharedKey, persistentKeepalive, staticStatic);
        peer = _peers.TryAdd(publicKey, added) ? added : null;
        return peer is not null;
    }

    /// <summary>
    /// DH(our static key, the peer's static key): the one X25519 a peer costs when it is added,
    /// precomputed for its handshakes. Thread-safe, so a start with thousands of peers computes
    /// them on every core.
    /// </summary>
    public byte[] StaticStaticOf(PublicKey publicKey)
    {
        var staticStatic = new byte[Key32.Size];
        X25519.Agree(Volatile.Read(ref _local).PrivateKeySpan, publicKey, staticStatic);
        return staticStatic;
    }

    /// <summary>Adds a peer that is known not to be there yet (tests, benchmarks).</summary>
    public Peer AddPeer(PublicKey publicKey, PresharedKey? presharedKey = null, TimeSpan persistentKeepalive = default) =>
        TryAddPeer(publicKey, presharedKey, persistentKeepalive, out Peer? peer) ? peer : throw new InvalidOperationException($"Peer {publicKey} is already configured.");

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
            AbandonHandshakeLocked(peer);
            peer.Timers.Clear();
        }

        DestroyKeypairs(peer.TakeAllKeypairs());
        peer.ClearStaged();
        return true;
    }

    /// <summary>The peer an outgoing IP packet goes to, by its destination address; null if none.</summary>
    public Peer? Route(ReadOnlySpan<byte> packet) => AllowedIps.Lookup(IpPacket.Destination(packet));

    /// <summary>
    /// What a datagram is, from its 4-byte header alone: one of the four message types, or 0 for
    /// anything else. The device uses it to send handshake messages (which cost a Diffie-Hellman)
    /// to its control thread and keep transport packets on the data path.
    /// </summary>
    public static MessageType Classify(ReadOnlySpan<byte> datagram) => ReadType(datagram);

    /// <summary>True for initiations, responses and cookie replies: the messages of the control thread.</summary>
    public static bool IsHandshake(MessageType type) => type is MessageType.Initiation or MessageType.Response or MessageType.CookieReply;

    /// <summary>
    /// Handles one datagram from the network, at datagram[0..length]. Transport packets are
    /// decrypted in place: a WriteToTunnel result points into <paramref name="datagram"/>. Replies
    /// (responses, cookie replies, keepalives) are written to <paramref name="output"/>, and a
    /// WriteToNetwork result points there. <paramref name="source"/> is the sender's IP address
    /// (4 or 16 bytes) followed by its port (2 bytes, big-endian): cookies are bound to both,
    /// the rate limit under load to the address.
    /// </summary>
    public ProtocolResult Receive(Span<byte> datagram, int length, ReadOnlySpan<byte> source, Span<byte> output) =>
        Receive(datagram, length, source, output, UnderLoad);

    /// <summary>
    /// <see cref="Receive(Span{byte}, int, ReadOnlySpan{byte}, Span{byte})"/> with the load decision
    /// given for this message alone, so threads that decide it per message never see each other's.
    /// </summary>
    public ProtocolResult Receive(Span<byte> datagram, int length, ReadOnlySpan<byte> source, Span<byte> output, bool underLoad)
    {
        if (length < 4 || length > datagram.Length)
        {
            return Dropped(DropReason.TooShort, null);
        }

        Span<byte> message = datagram[..length];
        try
        {
            return Classify(message) switch
            {
                MessageType.Transport => ReceiveTransport(message, datagram),
                MessageType.Initiation => ReceiveInitiation(message, source, output, underLoad),
                MessageType.Response => ReceiveResponse(message, source, output, underLoad),
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

    public void Dispose()
    {
        foreach (Peer peer in _peers.Values.ToList())
        {
            RemovePeer(peer.PublicKey);
        }

        _local.Dispose();
    }

    /// <summary>Ends the handshake in progress, if any: its index is freed and its secrets erased. Caller holds the peer's HandshakeLock.</summary>
    private void AbandonHandshakeLocked(Peer peer)
    {
        _indices.UnregisterHandshake(peer.Handshake.LocalIndex, peer);
        peer.Handshake.Clear();
    }

    /// <summary>Frees the indices of sessions that fell out of use and erases their keys.</summary>
    private void DestroyKeypairs(IEnumerable<Keypair>? keypairs)
    {
        if (keypairs is null)
        {
            return;
        }

        foreach (Keypair keypair in keypairs)
        {
            _indices.UnregisterSession(keypair);
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
}
