using static Taltun.Protocol.MessageLayout;

namespace Taltun.Protocol;

/// <summary>
/// WireGuard's defence against handshake floods (whitepaper 5.3, 5.4.7): mac1 on every handshake
/// message, and under load mac2, cookie replies and a per-address rate limit — all before any
/// Diffie-Hellman.
/// </summary>
internal sealed partial class ProtocolCore
{
    /// <summary>
    /// mac1 always; under load also mac2 (a missing one is answered with a cookie reply) and the
    /// per-address rate limit. A response to an initiation we have pending is exempt from the
    /// latter two: finding it costs one index lookup, an attacker cannot guess a random 32-bit
    /// index we chose, and its Diffie-Hellman work is bounded by the initiations we send ourselves
    /// — so a hub under a flood still completes the handshakes it starts without a cookie round.
    /// </summary>
    private bool CheckMacs(ReadOnlySpan<byte> message, int mac1Offset, ReadOnlySpan<byte> source, Span<byte> output, bool underLoad, out ProtocolResult rejected)
    {
        rejected = default;
        CookieChecker checker = Volatile.Read(ref _cookieChecker);
        if (!checker.CheckMac1(message, mac1Offset))
        {
            rejected = Dropped(DropReason.BadMac1, null);
            return false;
        }

        if (!underLoad || AnswersOurInitiation(message))
        {
            return true;
        }

        if (!checker.CheckMac2(message, mac1Offset + MacSize, source))
        {
            // Both handshake messages carry their sender index at the same offset; the reply is addressed to it.
            int length = checker.CreateReply(message, mac1Offset, ReadIndex(message, InitiationSender), source, output);
            Drops.Add(DropReason.BadMac2);
            rejected = ProtocolResult.Network(0, length, null);
            return false;
        }

        if (!_rateLimiter.Allow(source[..Math.Max(0, source.Length - 2)], Now))
        {
            rejected = Dropped(DropReason.RateLimited, null);
            return false;
        }

        return true;
    }

    /// <summary>A response whose receiver index names a handshake we started and still wait on (read without the lock: the consumer checks again under it).</summary>
    private bool AnswersOurInitiation(ReadOnlySpan<byte> message) =>
        ReadType(message) == MessageType.Response
        && _indices.TryGet(ReadIndex(message, ResponseReceiver), out IndexEntry entry)
        && entry.Keypair is null
        && entry.Peer.Handshake.State == HandshakeState.InitiationSent;

    private ProtocolResult ReceiveCookieReply(Span<byte> message)
    {
        if (message.Length != CookieReplySize)
        {
            return Dropped(DropReason.WrongSize, null);
        }

        if (!_indices.TryGet(ReadIndex(message, CookieReplyReceiver), out IndexEntry entry))
        {
            return Dropped(DropReason.UnknownReceiver, null);
        }

        Peer peer = entry.Peer;
        if (!peer.Cookies.ConsumeReply(message, Now))
        {
            return Dropped(DropReason.BadCookieReply, peer);
        }

        // The cookie answers the initiation we still wait on: resend it with mac2 now. A reply
        // decrypts only against the mac1 we last sent, so this happens once per initiation.
        if (entry.Keypair is null && peer.Handshake.State == HandshakeState.InitiationSent && peer.TryMarkRetryAfterCookie())
        {
            _scheduler?.Wake(peer, Now);
        }

        return new ProtocolResult(ResultKind.Done, 0, 0, DropReason.None, peer);
    }
}
