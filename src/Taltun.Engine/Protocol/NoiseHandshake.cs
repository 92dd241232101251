using System.Security.Cryptography;
using Taltun.Crypto;
using Key = NSec.Cryptography.Key;
using static Taltun.Protocol.MessageLayout;

namespace Taltun.Protocol;

/// <summary>
/// The Noise_IKpsk2 handshake of WireGuard (whitepaper 5.4.2-5.4.5), message by message:
/// initiator creates an initiation, responder consumes it and creates a response, initiator
/// consumes the response; both derive the session keys. Pure computation over spans: no I/O,
/// no clock (times are passed in). Consumers work on copies and commit state only when the
/// whole message checked out, so a rejected message changes nothing.
/// Callers hold the peer's HandshakeLock for the Create*/commit steps.
/// </summary>
internal static class NoiseHandshake
{
    private const int HashLength = Blake2s.HashSize;

    /// <summary>Without a preshared key, psk2 mixes in 32 zero bytes.</summary>
    private static readonly byte[] NoPresharedKey = new byte[Key32.Size];

    /// <summary>Writes a 148-byte initiation (without macs) and moves the peer's handshake to InitiationSent.</summary>
    public static bool CreateInitiation(LocalIdentity local, Peer peer, uint localIndex, DateTimeOffset wallClock, Span<byte> message)
    {
        Handshake hs = peer.Handshake;
        Span<byte> ck = stackalloc byte[HashLength];
        Span<byte> hash = stackalloc byte[HashLength];
        Span<byte> key = stackalloc byte[HashLength];
        Span<byte> dh = stackalloc byte[HashLength];
        Span<byte> ephemeralPrivate = stackalloc byte[HashLength];
        try
        {
            LocalIdentity.InitialChainingKey.CopyTo(ck);
            Blake2s.Hash(hash, LocalIdentity.InitialHash, peer.PublicKey.Span);

            RandomNumberGenerator.Fill(ephemeralPrivate);
            X25519.Clamp(ephemeralPrivate);
            // Imported into libsodium once for both the public key and the DH.
            using Key ephemeralKey = X25519.ImportPrivate(ephemeralPrivate);
            PublicKey ephemeral = X25519.PublicKeyOf(ephemeralKey);

            message[..InitiationSize].Clear();
            WriteType(message, MessageType.Initiation);
            WriteIndex(message, InitiationSender, localIndex);
            ephemeral.Span.CopyTo(message[InitiationEphemeral..]);

            Blake2s.Kdf(ck, ephemeral.Span, ck);
            Blake2s.Hash(hash, hash, ephemeral.Span);

            if (!X25519.Agree(ephemeralKey, peer.PublicKey, dh))
            {
                return false;
            }

            Blake2s.Kdf(ck, dh, ck, key);
            Span<byte> encryptedStatic = message.Slice(InitiationStatic, KeySize + TagSize);
            ChaChaPoly.Seal(key, 0, local.PublicKey.Span, hash, encryptedStatic);
            Blake2s.Hash(hash, hash, encryptedStatic);

            Blake2s.Kdf(ck, peer.StaticStatic, ck, key);
            Span<byte> timestamp = stackalloc byte[TimestampSize];
            Tai64N.Write(timestamp, wallClock);
            Span<byte> encryptedTimestamp = message.Slice(InitiationTimestamp, TimestampSize + TagSize);
            ChaChaPoly.Seal(key, 0, timestamp, hash, encryptedTimestamp);
            Blake2s.Hash(hash, hash, encryptedTimestamp);

            hs.Clear();
            ck.CopyTo(hs.ChainingKey);
            hash.CopyTo(hs.Hash);
            ephemeralPrivate.CopyTo(hs.LocalEphemeralPrivate);
            hs.LocalIndex = localIndex;
            hs.State = HandshakeState.InitiationSent;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ck);
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
        Span<byte> ck = stackalloc byte[HashLength];
        Span<byte> hash = stackalloc byte[HashLength];
        Span<byte> key = stackalloc byte[HashLength];
        Span<byte> dh = stackalloc byte[HashLength];
        Span<byte> staticKey = stackalloc byte[KeySize];
        try
        {
            LocalIdentity.InitialChainingKey.CopyTo(ck);
            local.ResponderInitialHash.CopyTo(hash);

            ReadOnlySpan<byte> ephemeralBytes = message.Slice(InitiationEphemeral, KeySize);
            var ephemeral = new PublicKey(ephemeralBytes);
            Blake2s.Kdf(ck, ephemeralBytes, ck);
            Blake2s.Hash(hash, hash, ephemeralBytes);

            if (!X25519.Agree(local.NsecKey, ephemeral, dh))
            {
                return DropReason.LowOrderKey;
            }

            Blake2s.Kdf(ck, dh, ck, key);
            ReadOnlySpan<byte> encryptedStatic = message.Slice(InitiationStatic, KeySize + TagSize);
            if (!ChaChaPoly.Open(key, 0, encryptedStatic, hash, staticKey))
            {
                return DropReason.BadStatic;
            }

            Blake2s.Hash(hash, hash, encryptedStatic);
            peer = findPeer(new PublicKey(staticKey));
            if (peer is null)
            {
                return DropReason.UnknownPeer;
            }

            if (!peer.StaticStatic.AsSpan().ContainsAnyExcept((byte)0))
            {
                return DropReason.LowOrderKey;
            }

            Blake2s.Kdf(ck, peer.StaticStatic, ck, key);
            ReadOnlySpan<byte> encryptedTimestamp = message.Slice(InitiationTimestamp, TimestampSize + TagSize);
            Span<byte> timestamp = stackalloc byte[TimestampSize];
            if (!ChaChaPoly.Open(key, 0, encryptedTimestamp, hash, timestamp))
            {
                return DropReason.BadTimestamp;
            }

            Blake2s.Hash(hash, hash, encryptedTimestamp);
            pending = new PendingInitiation(ck.ToArray(), hash.ToArray(), ephemeralBytes.ToArray(), timestamp.ToArray(), ReadIndex(message, InitiationSender));
            return DropReason.None;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ck);
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

        Span<byte> ck = stackalloc byte[HashLength];
        Span<byte> hash = stackalloc byte[HashLength];
        Span<byte> key = stackalloc byte[HashLength];
        Span<byte> tau = stackalloc byte[HashLength];
        Span<byte> dh = stackalloc byte[HashLength];
        Span<byte> ephemeralPrivate = stackalloc byte[HashLength];
        try
        {
            hs.ChainingKey.CopyTo(ck);
            hs.Hash.CopyTo(hash);

            RandomNumberGenerator.Fill(ephemeralPrivate);
            X25519.Clamp(ephemeralPrivate);
            using Key ephemeralKey = X25519.ImportPrivate(ephemeralPrivate);
            PublicKey ephemeral = X25519.PublicKeyOf(ephemeralKey);

            message[..ResponseSize].Clear();
            WriteType(message, MessageType.Response);
            WriteIndex(message, ResponseSender, localIndex);
            WriteIndex(message, ResponseReceiver, hs.RemoteIndex);
            ephemeral.Span.CopyTo(message[ResponseEphemeral..]);

            Blake2s.Kdf(ck, ephemeral.Span, ck);
            Blake2s.Hash(hash, hash, ephemeral.Span);

            if (!X25519.Agree(ephemeralKey, new PublicKey(hs.RemoteEphemeral), dh))
            {
                return false;
            }

            Blake2s.Kdf(ck, dh, ck);
            if (!X25519.Agree(ephemeralKey, peer.PublicKey, dh))
            {
                return false;
            }

            Blake2s.Kdf(ck, dh, ck);
            Blake2s.Kdf(ck, PresharedOrZero(peer), ck, tau, key);
            Blake2s.Hash(hash, hash, tau);

            Span<byte> empty = message.Slice(ResponseEmpty, TagSize);
            ChaChaPoly.Seal(key, 0, ReadOnlySpan<byte>.Empty, hash, empty);
            Blake2s.Hash(hash, hash, empty);

            Blake2s.Kdf(ck, ReadOnlySpan<byte>.Empty, receiveKey, sendKey);
            hs.Clear();
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ck);
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(tau);
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

        Span<byte> ck = stackalloc byte[HashLength];
        Span<byte> hash = stackalloc byte[HashLength];
        Span<byte> key = stackalloc byte[HashLength];
        Span<byte> tau = stackalloc byte[HashLength];
        Span<byte> dh = stackalloc byte[HashLength];
        try
        {
            hs.ChainingKey.CopyTo(ck);
            hs.Hash.CopyTo(hash);

            ReadOnlySpan<byte> ephemeralBytes = message.Slice(ResponseEphemeral, KeySize);
            var ephemeral = new PublicKey(ephemeralBytes);
            Blake2s.Kdf(ck, ephemeralBytes, ck);
            Blake2s.Hash(hash, hash, ephemeralBytes);

            if (!X25519.Agree(hs.LocalEphemeralPrivate, ephemeral, dh))
            {
                return DropReason.LowOrderKey;
            }

            Blake2s.Kdf(ck, dh, ck);
            if (!X25519.Agree(local.NsecKey, ephemeral, dh))
            {
                return DropReason.LowOrderKey;
            }

            Blake2s.Kdf(ck, dh, ck);
            Blake2s.Kdf(ck, PresharedOrZero(peer), ck, tau, key);
            Blake2s.Hash(hash, hash, tau);

            if (!ChaChaPoly.Open(key, 0, message.Slice(ResponseEmpty, TagSize), hash, Span<byte>.Empty))
            {
                return DropReason.BadResponse;
            }

            Blake2s.Kdf(ck, ReadOnlySpan<byte>.Empty, sendKey, receiveKey);
            hs.Clear();
            return DropReason.None;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ck);
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(tau);
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    private static ReadOnlySpan<byte> PresharedOrZero(Peer peer) =>
        peer.PresharedKey is { } psk ? psk.Span : NoPresharedKey;
}

/// <summary>What a checked initiation would set on the peer's handshake, held until the replay and flood checks pass.</summary>
internal readonly record struct PendingInitiation(byte[] ChainingKey, byte[] Hash, byte[] RemoteEphemeral, byte[] Timestamp, uint SenderIndex)
{
    public void Erase()
    {
        CryptographicOperations.ZeroMemory(ChainingKey);
        CryptographicOperations.ZeroMemory(Hash);
    }
}
