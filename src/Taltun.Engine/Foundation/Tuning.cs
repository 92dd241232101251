namespace Taltun.Foundation;

/// <summary>
/// Tuning values of the data plane: unlike the protocol's constants, changing
/// these does not affect interoperability. Each says why it has its value.
/// </summary>
internal static class Tuning
{
    /// <summary>Packets per recvmmsg/sendmmsg call and per TUN read burst: enough to amortise each system call, few enough that a batch's slots stay in cache; wireguard-go uses 128.</summary>
    public const int BatchSize = 64;

    /// <summary>
    /// Bytes per packet slot: the largest datagram we accept. A transport header, the largest MTU we
    /// configure (9000), padding and tag fit; slots are 64-byte aligned for the cipher.
    /// </summary>
    public const int SlotSize = 9216;

    /// <summary>
    /// Packet slots of the outbound path: two batches, so a TCP super-packet from the TUN device
    /// (up to 64 KB, cut at an MSS of 512 bytes or more) always fits behind what is already read.
    /// </summary>
    public const int OutboundSlots = 2 * BatchSize;

    /// <summary>
    /// Packet loops by default, each with a UDP socket and a TUN queue of its own: one per core, so
    /// that every peer's traffic is served both ways by one thread (see bench/RESULTS.md, latency).
    /// </summary>
    public static readonly int DefaultPacketLoops = Math.Clamp(Environment.ProcessorCount, 1, 64);

    /// <summary>
    /// Messages per recvmmsg when UDP GRO is on: each may hold a 64 KB train of datagrams, so 16
    /// already cover about 700 datagrams per call while keeping each socket's buffers at 1 MB
    /// (64 would be 4 MB per socket, 256 MB on a 64-core host).
    /// </summary>
    public const int CoalescedBatchSize = 16;

    /// <summary>The largest read from a TUN device with offloads: an IP packet of 64 KB.</summary>
    public const int MaxSuperPacket = 65535;

    /// <summary>UDP socket buffers: several MB so a burst of 64-packet batches is not dropped by the kernel between reads.</summary>
    public const int SocketBufferBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Handshake messages waiting for the handshake threads. A message turned away when the queue
    /// is full costs its sender a retransmission RekeyTimeout (5 s) later, so the queue holds a
    /// whole reconnect storm: a hub restarted under 10,000 live peers receives an initiation from
    /// nearly every one within a second or two (and under load a second one, with the cookie),
    /// faster than two cores answer them. With wireguard-go's 1,024 such a storm turned 6,004
    /// initiations away; with the Linux module's 4,096, 1,078 in one run of three (bench/RESULTS.md,
    /// "Live peers"). Waiting is bounded by <see cref="HandshakeQueueMaxWait"/>, not by this
    /// number, and under load a message without a cookie costs a cookie reply, no Diffie-Hellman.
    /// At most this many messages of 176 bytes each are held: about 4 MB.
    /// </summary>
    public const int HandshakeQueueCapacity = 16384;

    /// <summary>
    /// How long a handshake message may wait for a handshake thread and still be answered: less
    /// than RekeyTimeout (5 s), after which its initiator has sent another initiation and would
    /// throw a response to this one away. Older messages are dropped unprocessed (counted as
    /// HandshakeQueueTimeout), so an overloaded hub spends its Diffie-Hellman work on messages
    /// whose senders still wait, and a full queue drains instead of answering the past.
    /// </summary>
    public static readonly TimeSpan HandshakeQueueMaxWait = TimeSpan.FromSeconds(4);

    /// <summary>Threads that do received handshakes' Diffie-Hellman work: one per core, as wireguard-go.</summary>
    public static readonly int HandshakeThreads = Math.Clamp(Environment.ProcessorCount, 1, 16);

    /// <summary>
    /// Queue depth from which initiations must carry a cookie: wireguard-go's (an eighth of its
    /// 1024), not an eighth of the larger queue above. At an eighth of 4096 a quiet 2-core hub kept
    /// up with a 20,000/s flood of valid-mac1 initiations by doing every Diffie-Hellman (both
    /// cores busy, no cookie sent); at 128 waiting, about 15 ms of handshake work, it asks for
    /// cookies instead. The larger capacity still keeps a storm's messages from being turned away.
    /// </summary>
    public const int UnderLoadQueueDepth = 128;

    /// <summary>How long "under load" lasts after the queue drains (wireguard-go's UnderLoadAfterTime).</summary>
    public static readonly TimeSpan UnderLoadHold = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How early the control thread may serve a peer's timers: every peer due within this much is
    /// served in one wake. WireGuard's timers are seconds long, so 10 ms is precise enough, and a hub
    /// whose peers fall due a fraction of a millisecond apart (thousands of sessions started within
    /// a second) sleeps between batches instead of spinning through waits too short to sleep.
    /// </summary>
    public static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// With keep_warm, how often a packet loop wakes while its window is open. On this project's
    /// 2-vCPU machine, waking every 1 ms took a fifth to a third off the round trip Taltun adds
    /// to pings 10 ms apart; every 2 or 3 ms kept less of it (bench/RESULTS.md, "Keeping the loop warm").
    /// </summary>
    public const int KeepWarmIntervalMilliseconds = 1;

    /// <summary>
    /// With keep_warm, how long after a loop's last packet it keeps waking: long enough to span the
    /// pauses of interactive traffic (keystrokes, requests and their replies), short enough that an
    /// idle tunnel sleeps again within a second.
    /// </summary>
    public const int KeepWarmWindowMilliseconds = 1000;

    /// <summary>How long Stop waits for each thread before reporting it stuck.</summary>
    public static readonly TimeSpan ThreadJoinTimeout = TimeSpan.FromSeconds(2);
}
