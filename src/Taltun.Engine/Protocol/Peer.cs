using System.Buffers;
using Taltun.Crypto;
using Taltun.Transport;

namespace Taltun.Protocol;

/// <summary>
/// One remote peer as the protocol sees it: its identity, its sessions (previous, current,
/// next keypair), its handshake and timers, packets waiting for a session, and its counters.
/// Created and driven by <see cref="ProtocolCore"/>; read by the device and by status queries.
/// Thread-safe: sessions are swapped under <see cref="SessionLock"/> (never held across
/// Diffie-Hellman work) and read lock-free; the Noise state lives under <see cref="HandshakeLock"/>,
/// which only the control and handshake threads take; timers, flags and counters are atomic, so a
/// data path never waits for a handshake in progress.
/// </summary>
internal sealed class Peer
{
    /// <summary>Packets kept while a handshake completes (wireguard-go's QueueStagedSize).</summary>
    public const int MaxStagedPackets = 128;

    private static readonly IReadOnlyDictionary<DropReason, long> EmptyDrops = new Dictionary<DropReason, long>();

    // Created with the first packet that waits for a session: most peers of a hub never stage one.
    private Queue<(byte[] Buffer, int Length)>? _staged;
    private DropCounters? _drops;
    private CookieGenerator? _cookies;
    private Keypair? _previous;
    private Keypair? _current;
    private Keypair? _next;
    private long _rxBytes;
    private long _txBytes;
    private long _rxPackets;
    private long _txPackets;
    private long _latestHandshakeTicks;

    // _staged.Count, mirrored for lock-free reads on the data path; written under the _staged lock.
    private int _stagedCount;

    internal Peer(PublicKey publicKey, PresharedKey? presharedKey, TimeSpan persistentKeepalive, byte[] staticStatic)
    {
        PublicKey = publicKey;
        PresharedKey = presharedKey;
        PersistentKeepalive = persistentKeepalive;
        StaticStatic = staticStatic;
    }

    public PublicKey PublicKey { get; }

    public PresharedKey? PresharedKey { get; internal set; }

    /// <summary>Zero for none; otherwise a keepalive after this long without traffic, for peers behind NAT.</summary>
    public TimeSpan PersistentKeepalive { get; internal set; }

    /// <summary>
    /// Where to send this peer's messages: set by the device (configuration, then roaming). The
    /// core only asks whether there is one; without it no handshake is started. Swapped whole, so
    /// readers on any thread see one endpoint or the other, never a mix.
    /// </summary>
    public UdpEndpoint? Endpoint
    {
        get => Volatile.Read(ref _endpoint);
        set => Volatile.Write(ref _endpoint, value);
    }

    private UdpEndpoint? _endpoint;

    public long RxBytes => Interlocked.Read(ref _rxBytes);

    public long TxBytes => Interlocked.Read(ref _txBytes);

    public long RxPackets => Interlocked.Read(ref _rxPackets);

    public long TxPackets => Interlocked.Read(ref _txPackets);

    /// <summary>Drops attributable to this peer (bad tag, replay, wrong inner source, queue full…).</summary>
    public DropCounters Drops => _drops ?? Interlocked.CompareExchange(ref _drops, new DropCounters(), null) ?? _drops!;

    /// <summary>The drops so far by reason, without creating counters for a peer that never dropped anything.</summary>
    public IReadOnlyDictionary<DropReason, long> DropsSnapshot() => _drops?.Snapshot() ?? EmptyDrops;

    /// <summary>Wall-clock time of the latest completed handshake, or null if none.</summary>
    public DateTimeOffset? LatestHandshake
    {
        get
        {
            long ticks = Interlocked.Read(ref _latestHandshakeTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>The session used for sending, if any.</summary>
    public Keypair? CurrentKeypair => Volatile.Read(ref _current);

    internal Keypair? NextKeypair => Volatile.Read(ref _next);

    internal int StagedCount => Volatile.Read(ref _stagedCount);

    /// <summary>DH(our static private, their static public), computed once per peer.</summary>
    internal byte[] StaticStatic { get; }

    /// <summary>The initiator's cookie state, created with this peer's first handshake message (its keys derive from the public key).</summary>
    internal CookieGenerator Cookies => _cookies ?? Interlocked.CompareExchange(ref _cookies, new CookieGenerator(PublicKey), null) ?? _cookies!;

    internal object HandshakeLock { get; } = new();

    internal object SessionLock { get; } = new();

    internal Handshake Handshake { get; } = new();

    internal PeerTimers Timers { get; } = new();

    /// <summary>A handshake is wanted (traffic without a session, or a session due for rekeying); the next Tick acts on it.</summary>
    internal bool WantsHandshake => Volatile.Read(ref _wantsHandshake) != 0;

    /// <summary>Asks for a handshake; true if this call asked first (then the control thread needs waking).</summary>
    internal bool TryWantHandshake() => Volatile.Read(ref _wantsHandshake) == 0 && Interlocked.Exchange(ref _wantsHandshake, 1) == 0;

    internal void ClearWantsHandshake() => Volatile.Write(ref _wantsHandshake, 0);

    /// <summary>A cookie reply answered our pending initiation: send it again at once, now with mac2.</summary>
    internal bool TryMarkRetryAfterCookie() => Interlocked.Exchange(ref _retryAfterCookie, 1) == 0;

    internal bool TakeRetryAfterCookie() => Volatile.Read(ref _retryAfterCookie) != 0 && Interlocked.Exchange(ref _retryAfterCookie, 0) != 0;

    internal bool RetryAfterCookie => Volatile.Read(ref _retryAfterCookie) != 0;

    /// <summary>
    /// The device's scheduler keeps here when it will next look at this peer (clock ticks,
    /// long.MaxValue for never), so asking for an earlier look is one read when it is not needed.
    /// </summary>
    internal long WakeAt = long.MaxValue;

    private int _wantsHandshake;
    private int _retryAfterCookie;

    internal bool IsRemoved { get; set; }

    internal void CountReceived(int bytes)
    {
        Interlocked.Add(ref _rxBytes, bytes);
        Interlocked.Increment(ref _rxPackets);
    }

    internal void CountSent(int bytes)
    {
        Interlocked.Add(ref _txBytes, bytes);
        Interlocked.Increment(ref _txPackets);
    }

    internal void MarkHandshake(DateTimeOffset now) => Interlocked.Exchange(ref _latestHandshakeTicks, now.UtcTicks);

    /// <summary>As initiator: the new session is confirmed by the response and sends at once.</summary>
    internal List<Keypair> InstallAsInitiator(Keypair keypair) => Install(keypair, asNext: false);

    /// <summary>As responder: the session waits as "next" until the initiator's first packet confirms it.</summary>
    internal List<Keypair> InstallAsResponder(Keypair keypair) => Install(keypair, asNext: true);

    /// <summary>The initiator used the "next" session: promote it. Returns the keypair that fell out.</summary>
    internal Keypair? ConfirmNext(Keypair keypair)
    {
        lock (SessionLock)
        {
            if (_next != keypair)
            {
                return null;
            }

            Keypair? dropped = _previous;
            _previous = _current;
            Volatile.Write(ref _current, keypair);
            _next = null;
            return dropped;
        }
    }

    /// <summary>Removes every session; returns them for the caller to unregister and erase.</summary>
    internal List<Keypair> TakeAllKeypairs()
    {
        lock (SessionLock)
        {
            var all = new List<Keypair>(3);
            foreach (Keypair? k in new[] { _previous, _current, _next })
            {
                if (k is not null)
                {
                    all.Add(k);
                }
            }

            _previous = null;
            Volatile.Write(ref _current, null);
            _next = null;
            return all;
        }
    }

    /// <summary>
    /// Keeps a copy of a packet until a session exists; the oldest goes when full. The copies live
    /// in the shared array pool, so every buffer is cleared before it goes back: it held plaintext.
    /// </summary>
    internal bool Stage(ReadOnlySpan<byte> packet)
    {
        byte[] copy = ArrayPool<byte>.Shared.Rent(packet.Length);
        packet.CopyTo(copy);
        bool overflowed = false;
        Queue<(byte[] Buffer, int Length)> staged = _staged ?? Interlocked.CompareExchange(ref _staged, new Queue<(byte[] Buffer, int Length)>(), null) ?? _staged!;
        lock (staged)
        {
            if (staged.Count >= MaxStagedPackets)
            {
                ArrayPool<byte>.Shared.Return(staged.Dequeue().Buffer, clearArray: true);
                overflowed = true;
            }

            staged.Enqueue((copy, packet.Length));
            Volatile.Write(ref _stagedCount, staged.Count);
        }

        return !overflowed;
    }

    /// <summary>Moves the oldest staged packet into <paramref name="destination"/>; returns its length, or -1 if none.</summary>
    internal int Unstage(Span<byte> destination)
    {
        (byte[] Buffer, int Length) item;
        if (Volatile.Read(ref _staged) is not { } staged)
        {
            return -1;
        }

        lock (staged)
        {
            if (!staged.TryDequeue(out item))
            {
                return -1;
            }

            Volatile.Write(ref _stagedCount, staged.Count);
        }

        item.Buffer.AsSpan(0, item.Length).CopyTo(destination);
        ArrayPool<byte>.Shared.Return(item.Buffer, clearArray: true);
        return item.Length;
    }

    internal int ClearStaged()
    {
        if (Volatile.Read(ref _staged) is not { } staged)
        {
            return 0;
        }

        lock (staged)
        {
            int count = staged.Count;
            while (staged.TryDequeue(out var item))
            {
                ArrayPool<byte>.Shared.Return(item.Buffer, clearArray: true);
            }

            Volatile.Write(ref _stagedCount, 0);
            return count;
        }
    }

    public override string ToString() => $"peer {PublicKey}";

    /// <summary>The rotation of wireguard-go's noise.go: returns the sessions that fell out, to unregister and erase.</summary>
    private List<Keypair> Install(Keypair keypair, bool asNext)
    {
        var dropped = new List<Keypair>(2);
        lock (SessionLock)
        {
            if (asNext)
            {
                // An unconfirmed session replaces any earlier unconfirmed one; the previous one goes too.
                AddIfSet(dropped, _next);
                AddIfSet(dropped, _previous);
                _next = keypair;
                _previous = null;
            }
            else
            {
                AddIfSet(dropped, _previous);
                if (_next is not null)
                {
                    // A crossing handshake left an unconfirmed session; it is older than this one.
                    _previous = _next;
                    _next = null;
                    AddIfSet(dropped, _current);
                }
                else
                {
                    _previous = _current;
                }

                Volatile.Write(ref _current, keypair);
            }
        }

        return dropped;
    }

    private static void AddIfSet(List<Keypair> list, Keypair? keypair)
    {
        if (keypair is not null)
        {
            list.Add(keypair);
        }
    }
}
