using System.Security.Cryptography;

namespace Taltun.Protocol;

/// <summary>Where a peer's handshake stands.</summary>
internal enum HandshakeState
{
    /// <summary>No handshake in progress.</summary>
    Zeroed,

    /// <summary>We sent an initiation and wait for the response.</summary>
    InitiationSent,

    /// <summary>We accepted an initiation and must answer it.</summary>
    InitiationConsumed,
}

/// <summary>
/// The Noise state of one handshake in progress: hash, chaining key, ephemeral keys and indices.
/// Owned by its <see cref="Peer"/> and only touched under the peer's handshake lock.
/// </summary>
internal sealed class Handshake
{
    public HandshakeState State;
    public uint LocalIndex;
    public uint RemoteIndex;

    // Inline in this object rather than four arrays of their own: a hub keeps one per peer, and
    // each array would add an object header and a reference to every idle peer.
    private Bytes32 _hash;
    private Bytes32 _chainingKey;
    private Bytes32 _localEphemeralPrivate;
    private Bytes32 _remoteEphemeral;
    private Timestamp12 _latestTimestamp;

    public Span<byte> Hash => _hash;

    public Span<byte> ChainingKey => _chainingKey;

    public Span<byte> LocalEphemeralPrivate => _localEphemeralPrivate;

    public Span<byte> RemoteEphemeral => _remoteEphemeral;

    /// <summary>The newest initiation timestamp accepted from this peer; kept across handshakes.</summary>
    public Span<byte> LatestTimestamp => _latestTimestamp;

    /// <summary>When the last initiation from this peer was accepted (flood limit).</summary>
    public TimeSpan? LastInitiationConsumed;

    /// <summary>When we last sent an initiation or a response: a new initiation waits RekeyTimeout after either.</summary>
    public TimeSpan? LastHandshakeSent;

    /// <summary>
    /// Our latest initiation up to its mac1, so a cookie reply is answered by the same initiation
    /// with mac2 instead of a new one (two X25519 each). Allocated by a peer's first initiation: a
    /// hub's peers usually initiate, so most of its idle peers never hold one. Nothing secret: it
    /// went out on the wire.
    /// </summary>
    public byte[]? SentInitiation;

    /// <summary>Whether <see cref="SentInitiation"/> went out again with a cookie: once per initiation, so a replayed cookie reply makes no more.</summary>
    public bool SentAgainWithCookie;

    public void Clear()
    {
        State = HandshakeState.Zeroed;
        CryptographicOperations.ZeroMemory(Hash);
        CryptographicOperations.ZeroMemory(ChainingKey);
        CryptographicOperations.ZeroMemory(LocalEphemeralPrivate);
        CryptographicOperations.ZeroMemory(RemoteEphemeral);
        LocalIndex = 0;
        RemoteIndex = 0;
    }
}

[System.Runtime.CompilerServices.InlineArray(32)]
internal struct Bytes32
{
    private byte _first;
}

[System.Runtime.CompilerServices.InlineArray(MessageLayout.TimestampSize)]
internal struct Timestamp12
{
    private byte _first;
}
