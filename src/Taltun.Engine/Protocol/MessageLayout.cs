using System.Buffers.Binary;

namespace Taltun.Protocol;

/// <summary>The four WireGuard message types: the first byte, followed by three zero bytes.</summary>
internal enum MessageType : byte
{
    Initiation = 1,
    Response = 2,
    CookieReply = 3,
    Transport = 4,
}

/// <summary>
/// Byte offsets and sizes of the wire messages (all integers little-endian). Kept in one place
/// so the handshake, cookie and transport code read and write the same layout.
/// </summary>
internal static class MessageLayout
{
    public const int TagSize = 16;
    public const int KeySize = 32;
    public const int MacSize = 16;
    public const int TimestampSize = 12;

    public const int InitiationSize = 148;
    public const int InitiationSender = 4;
    public const int InitiationEphemeral = 8;
    public const int InitiationStatic = 40;
    public const int InitiationTimestamp = 88;
    public const int InitiationMac1 = 116;
    public const int InitiationMac2 = 132;

    public const int ResponseSize = 92;
    public const int ResponseSender = 4;
    public const int ResponseReceiver = 8;
    public const int ResponseEphemeral = 12;
    public const int ResponseEmpty = 44;
    public const int ResponseMac1 = 60;
    public const int ResponseMac2 = 76;

    public const int CookieReplySize = 64;
    public const int CookieReplyReceiver = 4;
    public const int CookieReplyNonce = 8;
    public const int CookieReplyNonceSize = 24;
    public const int CookieReplyCookie = 32;

    public const int TransportHeaderSize = 16;
    public const int TransportReceiver = 4;
    public const int TransportCounter = 8;

    /// <summary>The smallest transport message: a keepalive, header plus an empty plaintext's tag.</summary>
    public const int KeepaliveSize = TransportHeaderSize + TagSize;

    /// <summary>Room a transport message needs beyond the plaintext: header, up to 15 bytes of padding, tag.</summary>
    public const int TransportOverhead = TransportHeaderSize + 15 + TagSize;

    public static void WriteType(Span<byte> message, MessageType type) =>
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)type);

    /// <summary>The message type, or 0 when the first four bytes are not one of the four types.</summary>
    public static MessageType ReadType(ReadOnlySpan<byte> message) =>
        message.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(message) is >= 1 and <= 4 and var type
            ? (MessageType)type
            : 0;

    public static uint ReadIndex(ReadOnlySpan<byte> message, int offset) =>
        BinaryPrimitives.ReadUInt32LittleEndian(message[offset..]);

    public static void WriteIndex(Span<byte> message, int offset, uint index) =>
        BinaryPrimitives.WriteUInt32LittleEndian(message[offset..], index);
}
