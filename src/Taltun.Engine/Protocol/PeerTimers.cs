namespace Taltun.Protocol;

/// <summary>
/// The deadlines of one peer's protocol timers (whitepaper 6.2-6.5, wireguard-go's timers.go), as
/// points on the core's clock in ticks, 0 meaning "not pending". Each protocol event has one hook.
///
/// Thread-safe without locks: the data paths call the hooks for every packet, so each hook is one
/// or two atomic operations and never waits for the control thread, which may be in the middle of
/// a Diffie-Hellman. A hook that arms a deadline which was not pending returns true: that is the
/// one moment the device's scheduler may need to wake earlier than it planned. A deadline that
/// only moves later (the persistent keepalive, pushed back by every packet) needs no wake: the
/// scheduler finds it moved when it looks.
/// </summary>
internal sealed class PeerTimers
{
    private static readonly long TraversalGranularity = TimeSpan.FromMilliseconds(10).Ticks;

    private long _retransmitHandshake;
    private long _sendKeepalive;
    private long _newHandshake;
    private long _zeroKeyMaterial;
    private long _persistentKeepalive;
    private int _handshakeAttempts;
    private int _needAnotherKeepalive;
    private int _rekeyedOnReceive;

    /// <summary>Resend the initiation if no response came (RekeyTimeout + jitter).</summary>
    public TimeSpan? RetransmitHandshake => Read(ref _retransmitHandshake);

    /// <summary>Send a keepalive if we received data and sent nothing back (KeepaliveTimeout).</summary>
    public TimeSpan? SendKeepalive => Read(ref _sendKeepalive);

    /// <summary>Start a new handshake if we sent data and heard nothing (KeepaliveTimeout + RekeyTimeout + jitter).</summary>
    public TimeSpan? NewHandshake => Read(ref _newHandshake);

    /// <summary>Erase every key after 3 × RejectAfterTime without a new session.</summary>
    public TimeSpan? ZeroKeyMaterial => Read(ref _zeroKeyMaterial);

    /// <summary>The user's persistent keepalive, pushed back by every authenticated packet either way.</summary>
    public TimeSpan? PersistentKeepalive => Read(ref _persistentKeepalive);

    /// <summary>Retries since the last completed handshake or the last new (non-retry) initiation.</summary>
    public int HandshakeAttempts => Volatile.Read(ref _handshakeAttempts);

    /// <summary>The earliest pending deadline, or null if none is pending.</summary>
    public TimeSpan? Earliest
    {
        get
        {
            long earliest = long.MaxValue;
            foreach (long deadline in (ReadOnlySpan<long>)[Volatile.Read(ref _retransmitHandshake), Volatile.Read(ref _sendKeepalive), Volatile.Read(ref _newHandshake), Volatile.Read(ref _zeroKeyMaterial), Volatile.Read(ref _persistentKeepalive)])
            {
                if (deadline != 0 && deadline < earliest)
                {
                    earliest = deadline;
                }
            }

            return earliest == long.MaxValue ? null : TimeSpan.FromTicks(earliest);
        }
    }

    /// <summary>An initiation went out (first or retry): arm its retransmission.</summary>
    public void OnHandshakeInitiated(TimeSpan now) => Set(ref _retransmitHandshake, now + ProtocolConstants.RekeyTimeout + Jitter());

    /// <summary>The retransmission fired and another initiation goes out.</summary>
    public void OnRetry() => Interlocked.Increment(ref _handshakeAttempts);

    /// <summary>A new initiation, not a retry: the count of attempts starts over (wireguard-go does so on every non-retry send).</summary>
    public void OnNewHandshakeWanted() => Volatile.Write(ref _handshakeAttempts, 0);

    /// <summary>A response was consumed, or the first packet arrived on the session we answered for: no more retries.</summary>
    public void OnHandshakeComplete()
    {
        Volatile.Write(ref _retransmitHandshake, 0);
        Volatile.Write(ref _handshakeAttempts, 0);
        Volatile.Write(ref _rekeyedOnReceive, 0);
    }

    /// <summary>Gave up after the last retry: attempts start over when new traffic asks.</summary>
    public void OnHandshakeAbandoned() => Volatile.Write(ref _handshakeAttempts, 0);

    /// <summary>Session keys were derived (sending a response, or consuming one).</summary>
    public bool OnSessionDerived(TimeSpan now) => Set(ref _zeroKeyMaterial, now + ProtocolConstants.ZeroKeysAfter);

    /// <summary>Erase the keys eventually, unless a session already set that time.</summary>
    public bool OnResidueLeft(TimeSpan now) => Arm(ref _zeroKeyMaterial, now + ProtocolConstants.ZeroKeysAfter);

    /// <summary>Data went out: if nothing comes back, a new handshake follows (the jitter is drawn only when this arms it).</summary>
    public bool OnDataSent(TimeSpan now) =>
        Volatile.Read(ref _newHandshake) == 0 && Arm(ref _newHandshake, now + ProtocolConstants.KeepaliveTimeout + ProtocolConstants.RekeyTimeout + Jitter());

    public bool OnDataReceived(TimeSpan now)
    {
        if (Arm(ref _sendKeepalive, now + ProtocolConstants.KeepaliveTimeout))
        {
            return true;
        }

        // One keepalive is already due; another follows it, as wireguard-go's needAnotherKeepalive.
        if (Volatile.Read(ref _needAnotherKeepalive) == 0)
        {
            Volatile.Write(ref _needAnotherKeepalive, 1);
        }

        return false;
    }

    public void OnAuthenticatedPacketSent() => Clear(ref _sendKeepalive);

    public void OnAuthenticatedPacketReceived() => Clear(ref _newHandshake);

    /// <summary>Any authenticated packet, either way: the persistent keepalive starts over.</summary>
    public bool OnAuthenticatedPacketTraversal(TimeSpan now, TimeSpan persistentKeepalive)
    {
        if (persistentKeepalive <= TimeSpan.Zero)
        {
            return false;
        }

        long deadline = (now + persistentKeepalive).Ticks;
        long current = Volatile.Read(ref _persistentKeepalive);
        if (current != 0 && deadline - current < TraversalGranularity)
        {
            // Pushed back a moment ago: one store per packet would keep this cache line bouncing
            // between the threads for a keepalive that may go out 10 ms early at worst.
            return false;
        }

        Volatile.Write(ref _persistentKeepalive, deadline);
        return current == 0;
    }

    /// <summary>True once per session age: an initiator near RejectAfterTime rekeys on receive a single time.</summary>
    public bool TryMarkRekeyedOnReceive() => Interlocked.CompareExchange(ref _rekeyedOnReceive, 1, 0) == 0;

    /// <summary>Takes the retransmit deadline if it has passed.</summary>
    public bool TryExpireRetransmit(TimeSpan now) => TryExpire(ref _retransmitHandshake, now);

    public bool TryExpireNewHandshake(TimeSpan now) => TryExpire(ref _newHandshake, now);

    public bool TryExpireZeroKeyMaterial(TimeSpan now) => TryExpire(ref _zeroKeyMaterial, now);

    public bool TryExpirePersistentKeepalive(TimeSpan now) => TryExpire(ref _persistentKeepalive, now);

    /// <summary>Takes the keepalive deadline if it has passed; a second keepalive asked for meanwhile is armed right away.</summary>
    public bool TryExpireSendKeepalive(TimeSpan now)
    {
        if (!TryExpire(ref _sendKeepalive, now))
        {
            return false;
        }

        if (Interlocked.Exchange(ref _needAnotherKeepalive, 0) != 0)
        {
            Arm(ref _sendKeepalive, now + ProtocolConstants.KeepaliveTimeout);
        }

        return true;
    }

    /// <summary>Stops the keepalive: a peer given up on sends nothing until new traffic asks.</summary>
    public void CancelSendKeepalive() => Clear(ref _sendKeepalive);

    public void Clear()
    {
        Volatile.Write(ref _retransmitHandshake, 0);
        Volatile.Write(ref _sendKeepalive, 0);
        Volatile.Write(ref _newHandshake, 0);
        Volatile.Write(ref _zeroKeyMaterial, 0);
        Volatile.Write(ref _persistentKeepalive, 0);
        Volatile.Write(ref _handshakeAttempts, 0);
        Volatile.Write(ref _needAnotherKeepalive, 0);
        Volatile.Write(ref _rekeyedOnReceive, 0);
    }

    private static TimeSpan Jitter() => TimeSpan.FromMilliseconds(Random.Shared.Next((int)ProtocolConstants.RekeyTimeoutJitterMax.TotalMilliseconds));

    private static TimeSpan? Read(ref long deadline)
    {
        long ticks = Volatile.Read(ref deadline);
        return ticks == 0 ? null : TimeSpan.FromTicks(ticks);
    }

    /// <summary>Sets a deadline only if none is pending; true if this call armed it.</summary>
    private static bool Arm(ref long deadline, TimeSpan at) =>
        Volatile.Read(ref deadline) == 0 && Interlocked.CompareExchange(ref deadline, Math.Max(at.Ticks, 1), 0) == 0;

    /// <summary>Sets a deadline whether or not one is pending; true if none was.</summary>
    private static bool Set(ref long deadline, TimeSpan at) => Interlocked.Exchange(ref deadline, Math.Max(at.Ticks, 1)) == 0;

    // Read first: most packets find the deadline already clear, and a plain read keeps the cache line shared.
    private static void Clear(ref long deadline)
    {
        if (Volatile.Read(ref deadline) != 0)
        {
            Volatile.Write(ref deadline, 0);
        }
    }

    private static bool TryExpire(ref long deadline, TimeSpan now)
    {
        long ticks = Volatile.Read(ref deadline);
        return ticks != 0 && ticks <= now.Ticks && Interlocked.CompareExchange(ref deadline, 0, ticks) == ticks;
    }
}
