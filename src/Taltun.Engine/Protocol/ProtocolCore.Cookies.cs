using static Taltun.Protocol.MessageLayout;

namespace Taltun.Protocol;

/// <summary>
/// WireGuard's defence against handshake floods (whitepaper 5.3, 5.4.7): mac1 on every handshake
/// message, and under load mac2, cookie replies and a per-address rate limit — all before any
/// Diffie-Hellman.
/// </summary>
internal sealed partial class ProtocolCore
{
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
            // Both handshake messages carry their sender index at the same offset; the reply is addressed to it.
            int length = _cookieChecker.CreateReply(message, mac1Offset, ReadIndex(message, InitiationSender), source, output);
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

        return entry.Peer.Cookies.ConsumeReply(message, Now)
            ? new ProtocolResult(ResultKind.Done, 0, 0, DropReason.None, entry.Peer)
            : Dropped(DropReason.BadCookieReply, entry.Peer);
    }
}
