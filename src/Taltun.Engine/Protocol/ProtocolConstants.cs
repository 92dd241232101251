namespace Taltun.Protocol;

/// <summary>
/// The protocol's fixed values, named as in the WireGuard whitepaper (section 6) and
/// wireguard-go's constants.go. Changing any of these breaks interoperability; tuning values
/// live elsewhere.
/// </summary>
internal static class ProtocolConstants
{
    public const string Construction = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
    public const string Identifier = "WireGuard v1 zx2c4 Jason@zx2c4.com";
    public const string LabelMac1 = "mac1----";
    public const string LabelCookie = "cookie--";

    public const ulong RekeyAfterMessages = 1UL << 60;
    public const ulong RejectAfterMessages = ulong.MaxValue - (1UL << 13);

    public static readonly TimeSpan RekeyAfterTime = TimeSpan.FromSeconds(120);
    public static readonly TimeSpan RejectAfterTime = TimeSpan.FromSeconds(180);
    public static readonly TimeSpan RekeyAttemptTime = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan RekeyTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan KeepaliveTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan CookieRefreshTime = TimeSpan.FromSeconds(120);

    /// <summary>Random extra delay before a handshake retry, so peers do not retry in lockstep.</summary>
    public static readonly TimeSpan RekeyTimeoutJitterMax = TimeSpan.FromMilliseconds(334);

    /// <summary>An initiator rekeys on receive once its session is this old (RejectAfterTime − KeepaliveTimeout − RekeyTimeout).</summary>
    public static readonly TimeSpan RekeyOnReceiveAge = RejectAfterTime - KeepaliveTimeout - RekeyTimeout;

    /// <summary>With nothing new, every key is erased after 3 × RejectAfterTime.</summary>
    public static readonly TimeSpan ZeroKeysAfter = RejectAfterTime * 3;

    /// <summary>A responder accepts at most one initiation per peer in this interval (wireguard-go's HandshakeInitationRate).</summary>
    public static readonly TimeSpan MinInitiationInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// wireguard-go's MaxTimerHandshakes, RekeyAttemptTime / RekeyTimeout: a retry goes out while
    /// the retries so far are at most this many, so a peer is given up on after 20 initiations.
    /// </summary>
    public const int MaxTimerHandshakes = 90 / 5;
}
