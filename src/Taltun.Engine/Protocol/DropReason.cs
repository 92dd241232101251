namespace Taltun.Protocol;

/// <summary>Why a message or packet was dropped. Each is counted; none is an exception.</summary>
public enum DropReason
{
    None = 0,

    // Any message
    TooShort,
    UnknownType,
    WrongSize,

    // Handshake messages
    BadMac1,
    BadMac2,
    RateLimited,
    BadStatic,
    UnknownPeer,
    BadTimestamp,
    ReplayedInitiation,
    InitiationFlood,
    UnknownReceiver,
    UnexpectedResponse,
    BadResponse,
    BadCookieReply,
    LowOrderKey,

    // Transport messages
    BadTag,
    ReplayedCounter,
    ExpiredSession,
    CounterLimit,
    NotIpPacket,
    WrongSource,

    // Packets a hub would relay to another peer
    RelayRefused,
    RelayHopLimit,

    // Outgoing packets
    NoRoute,
    PacketTooBig,
    QueueFull,
    HandshakeGaveUp,

    // The device around the core
    NoEndpoint,
    HandshakeQueueFull,
    HandshakeQueueTimeout,
    SendFailed,
    TunWriteFailed,
}
