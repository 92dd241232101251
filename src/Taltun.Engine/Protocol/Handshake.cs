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
    public readonly byte[] Hash = new byte[32];
    public readonly byte[] ChainingKey = new byte[32];
    public readonly byte[] LocalEphemeralPrivate = new byte[32];
    public readonly byte[] RemoteEphemeral = new byte[32];
    public uint LocalIndex;
    public uint RemoteIndex;

    /// <summary>The newest initiation timestamp accepted from this peer; kept across handshakes.</summary>
    public readonly byte[] LatestTimestamp = new byte[12];

    /// <summary>When the last initiation from this peer was accepted (flood limit).</summary>
    public TimeSpan? LastInitiationConsumed;

    /// <summary>When we last sent an initiation or a response: a new initiation waits RekeyTimeout after either.</summary>
    public TimeSpan? LastHandshakeSent;

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
