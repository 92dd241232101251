using System.Security.Cryptography;
using Taltun.Crypto;

namespace Taltun.Protocol;

/// <summary>
/// The responder's side of WireGuard's DoS defence (whitepaper 5.4.7): checks mac1 (proves the
/// sender knows our public key) before any Curve25519 work, and under load demands mac2, a MAC
/// keyed by a cookie bound to the sender's address and a secret that changes every two minutes.
/// Thread-safe: the secret is replaced atomically.
/// </summary>
internal sealed class CookieChecker
{
    private readonly byte[] _mac1Key = new byte[Blake2s.HashSize];
    private readonly byte[] _cookieKey = new byte[Blake2s.HashSize];
    private readonly TimeProvider _time;
    private readonly object _secretLock = new();
    private readonly byte[] _secret = new byte[Blake2s.HashSize];
    private long _secretSetAt;
    private bool _hasSecret;

    public CookieChecker(PublicKey localStatic, TimeProvider time)
    {
        _time = time;
        MacKeys.Derive(localStatic, _mac1Key, _cookieKey);
    }

    /// <summary>mac1 = MAC(HASH(label ‖ our public key), message up to mac1).</summary>
    public bool CheckMac1(ReadOnlySpan<byte> message, int mac1Offset)
    {
        Span<byte> expected = stackalloc byte[Blake2s.MacSize];
        Blake2s.Mac(expected, _mac1Key, message[..mac1Offset]);
        return CryptographicOperations.FixedTimeEquals(expected, message.Slice(mac1Offset, Blake2s.MacSize));
    }

    /// <summary>mac2 = MAC(cookie for this source, message up to mac2).</summary>
    public bool CheckMac2(ReadOnlySpan<byte> message, int mac2Offset, ReadOnlySpan<byte> source)
    {
        Span<byte> cookie = stackalloc byte[Blake2s.MacSize];
        Span<byte> expected = stackalloc byte[Blake2s.MacSize];
        CookieFor(source, cookie);
        Blake2s.Mac(expected, cookie, message[..mac2Offset]);
        return CryptographicOperations.FixedTimeEquals(expected, message.Slice(mac2Offset, Blake2s.MacSize));
    }

    /// <summary>Writes a 64-byte cookie reply to <paramref name="message"/> into <paramref name="output"/>.</summary>
    public int CreateReply(ReadOnlySpan<byte> message, int mac1Offset, uint receiverIndex, ReadOnlySpan<byte> source, Span<byte> output)
    {
        Span<byte> cookie = stackalloc byte[Blake2s.MacSize];
        CookieFor(source, cookie);

        Span<byte> reply = output[..MessageLayout.CookieReplySize];
        MessageLayout.WriteType(reply, MessageType.CookieReply);
        MessageLayout.WriteIndex(reply, MessageLayout.CookieReplyReceiver, receiverIndex);
        Span<byte> nonce = reply.Slice(MessageLayout.CookieReplyNonce, MessageLayout.CookieReplyNonceSize);
        RandomNumberGenerator.Fill(nonce);
        ChaChaPoly.XSeal(_cookieKey, nonce, cookie, message.Slice(mac1Offset, Blake2s.MacSize), reply[MessageLayout.CookieReplyCookie..]);
        return MessageLayout.CookieReplySize;
    }

    private void CookieFor(ReadOnlySpan<byte> source, Span<byte> cookie)
    {
        // The secret is copied out under the lock, so rotating it can erase the old one at once
        // without pulling it from under a thread that is using it.
        Span<byte> secret = stackalloc byte[Blake2s.HashSize];
        lock (_secretLock)
        {
            if (!_hasSecret || _time.GetElapsedTime(_secretSetAt) >= ProtocolConstants.CookieRefreshTime)
            {
                RandomNumberGenerator.Fill(_secret);
                _secretSetAt = _time.GetTimestamp();
                _hasSecret = true;
            }

            _secret.CopyTo(secret);
        }

        try
        {
            Blake2s.Mac(cookie, secret, source);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
