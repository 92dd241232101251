using Taltun.Crypto;

namespace Taltun.Protocol;

/// <summary>
/// The initiator's side of the cookie mechanism for one peer: writes mac1 (and mac2 while a
/// fresh cookie is held) into outgoing handshake messages, and decrypts cookie replies, which
/// are bound to the mac1 we last sent. Thread-safe (one lock; handshake path only).
/// </summary>
internal sealed class CookieGenerator
{
    private readonly byte[] _mac1Key = new byte[Blake2s.HashSize];
    private readonly byte[] _cookieKey = new byte[Blake2s.HashSize];
    private readonly byte[] _lastMac1 = new byte[Blake2s.MacSize];
    private readonly byte[] _cookie = new byte[Blake2s.MacSize];
    private readonly object _lock = new();
    private bool _hasLastMac1;
    private TimeSpan? _cookieReceived;

    public CookieGenerator(PublicKey remoteStatic)
    {
        MacKeys.Derive(remoteStatic, _mac1Key, _cookieKey);
    }

    public void AddMacs(Span<byte> message, int mac1Offset, TimeSpan now)
    {
        int mac2Offset = mac1Offset + Blake2s.MacSize;
        lock (_lock)
        {
            Blake2s.Mac(message.Slice(mac1Offset, Blake2s.MacSize), _mac1Key, message[..mac1Offset]);
            message.Slice(mac1Offset, Blake2s.MacSize).CopyTo(_lastMac1);
            _hasLastMac1 = true;

            Span<byte> mac2 = message.Slice(mac2Offset, Blake2s.MacSize);
            if (_cookieReceived is { } received && now - received < ProtocolConstants.CookieRefreshTime)
            {
                Blake2s.Mac(mac2, _cookie, message[..mac2Offset]);
            }
            else
            {
                mac2.Clear();
            }
        }
    }

    /// <summary>Takes the cookie from a reply; false if it does not decrypt against our last mac1.</summary>
    public bool ConsumeReply(ReadOnlySpan<byte> reply, TimeSpan now)
    {
        lock (_lock)
        {
            if (!_hasLastMac1)
            {
                return false;
            }

            Span<byte> cookie = stackalloc byte[Blake2s.MacSize];
            bool ok = ChaChaPoly.XOpen(
                _cookieKey,
                reply.Slice(MessageLayout.CookieReplyNonce, MessageLayout.CookieReplyNonceSize),
                reply[MessageLayout.CookieReplyCookie..MessageLayout.CookieReplySize],
                _lastMac1,
                cookie);
            if (!ok)
            {
                return false;
            }

            cookie.CopyTo(_cookie);
            _cookieReceived = now;
            return true;
        }
    }
}
