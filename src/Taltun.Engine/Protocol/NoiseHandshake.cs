using System.Security.Cryptography;
using Taltun.Crypto;
using static Taltun.Protocol.MessageLayout;

namespace Taltun.Protocol;

/// <summary>
/// The Noise_IKpsk2 handshake of WireGuard, message by message: whitepaper 5.4.2 (the initiator
/// creates an initiation, the responder consumes it), 5.4.3 (the responder creates a response,
/// the initiator consumes it) and 5.4.5 (both split the chaining key into the session keys); the
/// macs of 5.4.4 are the caller's. Each function follows the whitepaper's lines in order on a
/// <see cref="NoiseState"/>. Pure computation over spans: no I/O, no clock (times are passed in).
/// Consumers work on copies and commit state only when the whole message checked out, so a
/// rejected message changes nothing. Every intermediate secret is zeroed in a finally, so
/// also when a message is rejected half-way.
/// Callers hold the peer's HandshakeLock for the Create*/commit steps.
/// </summary>
internal static class NoiseHandshake
{
    /// <summary>Without a preshared key, psk2 mixes in 32 zero bytes.</summary>
    private static readonly byte[] NoPresharedKey = new byte[Key32.Size];

    /// <summary>Writes a 148-byte initiation (without macs) and moves the peer's handshake to InitiationSent.</summary>
    public static bool CreateInitiation(LocalIdentity local, Peer peer, uint localIndex, DateTimeOffset wallClock, Span<byte> message)
    {
        var noise = new NoiseState(LocalIdentity.InitialChainingKey, LocalIdentity.InitialHash);
        Span<byte> key = stackalloc byte[KeySize];
        Span<byte> dh = stackalloc byte[KeySize];
        Span<byte> ephemeralPrivate = stackalloc byte[KeySize];
        try
        {
            noise.MixHash(peer.PublicKey.Span);

            PublicKey ephemeral = GenerateEphemeral(ephemeralPrivate);
            message[..InitiationSize].Clear();
            WriteType(message, MessageType.Initiation);
            WriteIndex(message, InitiationSender, localIndex);
            ephemeral.Span.CopyTo(message[InitiationEphemeral..]);
            noise.MixKey(ephemeral.Span);
            noise.MixHash(ephemeral.Span);

            if (!X25519.Agree(ephemeralPrivate, peer.PublicKey, dh))
            {
                return false;
            }

            noise.MixKeyAndKey(dh, key);
            noise.EncryptAndHash(key, local.PublicKey.Span, message.Slice(InitiationStatic, KeySize + TagSize));

            // The static-static DH never changes for a peer, so the peer holds it precomputed.
            noise.MixKeyAndKey(peer.StaticStatic, key);
            Span<byte> timestamp = stackalloc byte[TimestampSize];
            Tai64N.Write(timestamp, wallClock);
            noise.EncryptAndHash(key, timestamp, message.Slice(InitiationTimestamp, TimestampSize + TagSize));

            Handshake hs = peer.Handshake;
            hs.Clear();
            noise.CopyTo(hs.ChainingKey, hs.Hash);
            ephemeralPrivate.CopyTo(hs.LocalEphemeralPrivate);
            hs.LocalIndex = localIndex;
            hs.State = HandshakeState.InitiationSent;
            return true;
        }
        finally
        {
            noise.Clear();
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(dh);
            CryptographicOperations.ZeroMemory(ephemeralPrivate);
        }
    }

    /// <summary>
    /// Decrypts an initiation (macs already checked). On success returns the peer it came from,
    /// with the handshake state to commit in <paramref name="pending"/>; otherwise a reason.
    /// </summary>
    public static DropReason ConsumeInitiation(LocalIdentity local, ReadOnlySpan<byte> message, Func<PublicKey, Peer?> findPeer, out Peer? peer, out PendingInitiation pending)
    {
        peer = null;
        pending = default;
        var noise = new NoiseState(LocalIdentity.InitialChainingKey, local.ResponderInitialHash);
        Span<byte> key = stackalloc byte[KeySize];
        Span<byte> dh = stackalloc byte[KeySize];
        try
        {
            ReadOnlySpan<byte> ephemeral = message.Slice(InitiationEphemeral, KeySize);
            noise.MixKey(ephemeral);
            noise.MixHash(ephemeral);

            if (!X25519.Agree(local.PrivateKeySpan, ephemeral, dh))
            {
                return DropReason.LowOrderKey;
            }

            noise.MixKeyAndKey(dh, key);
            Span<byte> staticKey = stackalloc byte[KeySize];
            if (!noise.DecryptAndHash(key, message.Slice(InitiationStatic, KeySize + TagSize), staticKey))
            {
                return DropReason.BadStatic;
            }

            peer = findPeer(new PublicKey(staticKey));
            if (peer is null)
            {
                return DropReason.UnknownPeer;
            }

            // All zeros: the initiator's static key is a low-order point.
            if (!peer.StaticStatic.AsSpan().ContainsAnyExcept((byte)0))
            {
                return DropReason.LowOrderKey;
            }

            noise.MixKeyAndKey(peer.StaticStatic, key);
            Span<byte> timestamp = stackalloc byte[TimestampSize];
            if (!noise.DecryptAndHash(key, message.Slice(InitiationTimestamp, TimestampSize + TagSize), timestamp))
            {
                return DropReason.BadTimestamp;
            }

            pending = new PendingInitiation(new byte[NoiseState.Size], new byte[NoiseState.Size], ephemeral.ToArray(), timestamp.ToArray(), ReadIndex(message, InitiationSender));
            noise.CopyTo(pending.ChainingKey, pending.Hash);
            return DropReason.None;
        }
        finally
        {
            noise.Clear();
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    /// <summary>Commits a consumed initiation to the peer's handshake. Caller holds the HandshakeLock and has checked replay and flood limits.</summary>
    public static void CommitInitiation(Peer peer, in PendingInitiation pending, TimeSpan now)
    {
        Handshake hs = peer.Handshake;
        hs.Clear();
        pending.ChainingKey.CopyTo(hs.ChainingKey);
        pending.Hash.CopyTo(hs.Hash);
        pending.RemoteEphemeral.CopyTo(hs.RemoteEphemeral);
        pending.Timestamp.CopyTo(hs.LatestTimestamp);
        hs.RemoteIndex = pending.SenderIndex;
        hs.LastInitiationConsumed = now;
        hs.State = HandshakeState.InitiationConsumed;
        pending.Erase();
    }

    /// <summary>
    /// Writes a 92-byte response (without macs) to the consumed initiation and derives the
    /// session keys (responder: send = second, receive = first). Clears the handshake.
    /// </summary>
    public static bool CreateResponse(Peer peer, uint localIndex, Span<byte> message, Span<byte> sendKey, Span<byte> receiveKey, out uint remoteIndex)
    {
        Handshake hs = peer.Handshake;
        remoteIndex = hs.RemoteIndex;
        if (hs.State != HandshakeState.InitiationConsumed)
        {
            return false;
        }

        var noise = new NoiseState(hs.ChainingKey, hs.Hash);
        Span<byte> key = stackalloc byte[KeySize];
        Span<byte> dh = stackalloc byte[KeySize];
        Span<byte> ephemeralPrivate = stackalloc byte[KeySize];
        try
        {
            PublicKey ephemeral = GenerateEphemeral(ephemeralPrivate);
            message[..ResponseSize].Clear();
            WriteType(message, MessageType.Response);
            WriteIndex(message, ResponseSender, localIndex);
            WriteIndex(message, ResponseReceiver, hs.RemoteIndex);
            ephemeral.Span.CopyTo(message[ResponseEphemeral..]);
            noise.MixKey(ephemeral.Span);
            noise.MixHash(ephemeral.Span);

            if (!X25519.Agree(ephemeralPrivate, hs.RemoteEphemeral, dh))
            {
                return false;
            }

            noise.MixKey(dh);
            if (!X25519.Agree(ephemeralPrivate, peer.PublicKey, dh))
            {
                return false;
            }

            noise.MixKey(dh);
            noise.MixKeyAndHash(PresharedOrZero(peer), key);
            noise.EncryptAndHash(key, ReadOnlySpan<byte>.Empty, message.Slice(ResponseEmpty, TagSize));
            noise.Split(receiveKey, sendKey);
            hs.Clear();
            return true;
        }
        finally
        {
            noise.Clear();
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(dh);
            CryptographicOperations.ZeroMemory(ephemeralPrivate);
        }
    }

    /// <summary>
    /// Checks a response against our sent initiation and derives the session keys (initiator:
    /// send = first, receive = second). Caller holds the HandshakeLock. Leaves the handshake
    /// untouched unless it succeeds.
    /// </summary>
    public static DropReason ConsumeResponse(LocalIdentity local, Peer peer, ReadOnlySpan<byte> message, Span<byte> sendKey, Span<byte> receiveKey, out uint remoteIndex)
    {
        Handshake hs = peer.Handshake;
        remoteIndex = ReadIndex(message, ResponseSender);
        if (hs.State != HandshakeState.InitiationSent || hs.LocalIndex != ReadIndex(message, ResponseReceiver))
        {
            return DropReason.UnexpectedResponse;
        }

        var noise = new NoiseState(hs.ChainingKey, hs.Hash);
        Span<byte> key = stackalloc byte[KeySize];
        Span<byte> dh = stackalloc byte[KeySize];
        try
        {
            ReadOnlySpan<byte> ephemeralBytes = message.Slice(ResponseEphemeral, KeySize);
            var ephemeral = new PublicKey(ephemeralBytes);
            noise.MixKey(ephemeralBytes);
            noise.MixHash(ephemeralBytes);

            if (!X25519.Agree(hs.LocalEphemeralPrivate, ephemeral, dh))
            {
                return DropReason.LowOrderKey;
            }

            noise.MixKey(dh);
            if (!X25519.Agree(local.PrivateKeySpan, ephemeral, dh))
            {
                return DropReason.LowOrderKey;
            }

            noise.MixKey(dh);
            noise.MixKeyAndHash(PresharedOrZero(peer), key);
            if (!noise.DecryptAndHash(key, message.Slice(ResponseEmpty, TagSize), Span<byte>.Empty))
            {
                return DropReason.BadResponse;
            }

            noise.Split(sendKey, receiveKey);
            hs.Clear();
            return DropReason.None;
        }
        finally
        {
            noise.Clear();
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    /// <summary>A fresh, clamped ephemeral key pair: the private half in <paramref name="privateKey"/> (the initiator keeps it for the response), the public half returned.</summary>
    private static PublicKey GenerateEphemeral(Span<byte> privateKey)
    {
        RandomNumberGenerator.Fill(privateKey);
        X25519.Clamp(privateKey);
        return X25519.PublicKeyOf(privateKey);
    }

    private static ReadOnlySpan<byte> PresharedOrZero(Peer peer) =>
        peer.PresharedKey is { } psk ? psk.Span : NoPresharedKey;
}

/// <summary>
/// What a checked initiation would set on the peer's handshake, held until the replay and flood
/// checks pass. Its chaining key and hash are secrets on the heap: <see cref="NoiseHandshake.CommitInitiation"/>
/// erases them, and a caller that rejects the initiation instead must call <see cref="Erase"/>.
/// </summary>
internal readonly record struct PendingInitiation(byte[] ChainingKey, byte[] Hash, byte[] RemoteEphemeral, byte[] Timestamp, uint SenderIndex)
{
    public void Erase()
    {
        CryptographicOperations.ZeroMemory(ChainingKey);
        CryptographicOperations.ZeroMemory(Hash);
    }
}
