using System.Buffers.Binary;
using Taltun.Routing;
using static Taltun.Protocol.MessageLayout;

namespace Taltun.Protocol;

/// <summary>Transport messages: encrypting outgoing packets, decrypting incoming ones, and packets staged for want of a session.</summary>
internal sealed partial class ProtocolCore
{
    /// <summary>
    /// Encrypts the IP packet at buffer[16..16+length] for <paramref name="peer"/> in place. The
    /// buffer needs room for the result, <see cref="EncapsulatedLength"/> bytes, and no more: a
    /// datagram received in a coalesced train is relayed where it lies. Without a usable session
    /// the packet is staged, the result is Done, and <see cref="NeedsHandshake"/> turns true (the
    /// scheduler is told): this method never does Diffie-Hellman and never waits for a thread
    /// that does, so the data paths call it for every packet.
    /// </summary>
    public ProtocolResult Encapsulate(Peer peer, Span<byte> buffer, int length)
    {
        int padded = PaddedLength(length);
        if (length < 0 || length > Mtu || buffer.Length < TransportHeaderSize + padded + TagSize)
        {
            return Dropped(DropReason.PacketTooBig, peer);
        }

        TimeSpan now = Now;
        Keypair? keypair = peer.CurrentKeypair;
        if (keypair is not null && CanSend(keypair, now) && keypair.TryNextSendCounter(out ulong counter))
        {
            buffer.Slice(TransportHeaderSize + length, padded - length).Clear();
            if (!TrySeal(keypair, counter, buffer, padded))
            {
                return Dropped(DropReason.ExpiredSession, peer);
            }

            OnTransportSent(peer, keypair, counter, length, now);
            return ProtocolResult.Network(0, TransportHeaderSize + padded + TagSize, peer);
        }

        if (length > 0 && !peer.Stage(buffer.Slice(TransportHeaderSize, length)))
        {
            CountDrop(DropReason.QueueFull, peer);
        }

        WantHandshake(peer, now);
        return new ProtocolResult(ResultKind.Done, 0, 0, DropReason.None, peer);
    }

    /// <summary>True if the peer has traffic waiting for a handshake that <see cref="Tick"/> should start.</summary>
    public static bool NeedsHandshake(Peer peer) => peer.WantsHandshake;

    /// <summary>Encrypts the next packet staged for <paramref name="peer"/> into <paramref name="buffer"/>; Done when none is left or no session exists.</summary>
    public ProtocolResult TakeStaged(Peer peer, Span<byte> buffer)
    {
        Keypair? keypair = peer.CurrentKeypair;
        if (keypair is null || !CanSend(keypair, Now) || buffer.Length < TransportHeaderSize + Mtu + TransportOverhead)
        {
            return ProtocolResult.Done;
        }

        int length = peer.Unstage(buffer[TransportHeaderSize..]);
        return length < 0 ? ProtocolResult.Done : Encapsulate(peer, buffer, length);
    }

    /// <summary>The size of the transport message <see cref="Encapsulate"/> makes of a <paramref name="length"/>-byte packet.</summary>
    public int EncapsulatedLength(int length) => TransportHeaderSize + PaddedLength(length) + TagSize;

    private ProtocolResult ReceiveTransport(Span<byte> message, Span<byte> datagram)
    {
        if (message.Length < KeepaliveSize)
        {
            return Dropped(DropReason.TooShort, null);
        }

        if (!_indices.TryGet(ReadIndex(message, TransportReceiver), out IndexEntry entry) || entry.Keypair is not { } keypair)
        {
            return Dropped(DropReason.UnknownReceiver, null);
        }

        Peer peer = entry.Peer;
        TimeSpan now = Now;
        ulong counter = BinaryPrimitives.ReadUInt64LittleEndian(message[TransportCounter..]);
        if (now - keypair.Created >= ProtocolConstants.RejectAfterTime || keypair.IsDisposed)
        {
            return Dropped(DropReason.ExpiredSession, peer);
        }

        if (counter >= ProtocolConstants.RejectAfterMessages)
        {
            return Dropped(DropReason.CounterLimit, peer);
        }

        int plaintextLength = message.Length - TransportHeaderSize - TagSize;
        Span<byte> payload = datagram[TransportHeaderSize..message.Length];
        if (!keypair.Open(counter, payload, payload))
        {
            return Dropped(DropReason.BadTag, peer);
        }

        if (!keypair.TryAcceptCounter(counter))
        {
            return Dropped(DropReason.ReplayedCounter, peer);
        }

        if (peer.NextKeypair == keypair)
        {
            // The initiator used the session we answered for: the handshake is complete here too.
            DestroyKeypairs(peer.ConfirmNext(keypair));
            OnNextSessionConfirmed(peer, now);
        }

        peer.CountReceived(message.Length);
        OnTransportReceived(peer, keypair, plaintextLength, now);
        if (plaintextLength == 0)
        {
            return new ProtocolResult(ResultKind.Done, 0, 0, DropReason.None, peer);
        }

        ReadOnlySpan<byte> packet = datagram.Slice(TransportHeaderSize, plaintextLength);
        int declared = IpPacket.DeclaredLength(packet);
        if (declared == 0 || declared > plaintextLength)
        {
            return Dropped(DropReason.NotIpPacket, peer);
        }

        if (AllowedIps.Lookup(IpPacket.Source(packet)) != peer)
        {
            return Dropped(DropReason.WrongSource, peer);
        }

        return ProtocolResult.Tunnel(TransportHeaderSize, declared, peer);
    }

    private static bool CanSend(Keypair keypair, TimeSpan now) =>
        !keypair.IsDisposed && now - keypair.Created < ProtocolConstants.RejectAfterTime && keypair.SendCount < ProtocolConstants.RejectAfterMessages;

    private static bool TrySeal(Keypair keypair, ulong counter, Span<byte> buffer, int padded)
    {
        try
        {
            Span<byte> payload = buffer[TransportHeaderSize..];
            keypair.Seal(counter, payload[..padded], payload);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        WriteType(buffer, MessageType.Transport);
        WriteIndex(buffer, TransportReceiver, keypair.RemoteIndex);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[TransportCounter..], counter);
        return true;
    }

    /// <summary>Pads to a multiple of 16, but not past the MTU (a full-size packet is not padded further).</summary>
    private int PaddedLength(int length)
    {
        int padded = (length + 15) & ~15;
        return Math.Max(length, Math.Min(padded, Mtu));
    }
}
