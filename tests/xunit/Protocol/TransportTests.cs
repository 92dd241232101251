using Taltun.Protocol;
using static Taltun.Tests.Protocol.CorePair;

namespace Taltun.Tests.Protocol;

public class TransportTests
{
    [Fact]
    public void AReplayedPacketIsDroppedAndCounted()
    {
        using var pair = new CorePair();
        pair.Handshake();
        byte[] datagram = Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B)).Bytes!;

        Assert.Equal(ResultKind.WriteToTunnel, Deliver(pair.B, datagram, SourceA).Result.Kind);
        var replay = Deliver(pair.B, datagram, SourceA);

        Assert.Equal(DropReason.ReplayedCounter, replay.Result.Reason);
        Assert.Equal(1, pair.PeerA.Drops[DropReason.ReplayedCounter]);
    }

    [Fact]
    public void PacketsOutOfOrderWithinTheWindowAreAccepted()
    {
        using var pair = new CorePair();
        pair.Handshake();
        var datagrams = Enumerable.Range(0, 50).Select(_ => Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B)).Bytes!).ToList();

        foreach (byte[] d in Enumerable.Reverse(datagrams))
        {
            Assert.Equal(ResultKind.WriteToTunnel, Deliver(pair.B, d, SourceA).Result.Kind);
        }
    }

    [Fact]
    public void AnInnerSourceOutsideThePeersAllowedIpsIsDropped()
    {
        using var pair = new CorePair();
        pair.Handshake();
        byte[] spoofed = Packets.Ipv4([10, 0, 0, 99], Packets.B);

        var result = Deliver(pair.B, Send(pair.A, pair.PeerB, spoofed).Bytes!, SourceA);

        Assert.Equal(DropReason.WrongSource, result.Result.Reason);
        Assert.Equal(1, pair.PeerA.Drops[DropReason.WrongSource]);
    }

    [Fact]
    public void ATamperedPacketFailsItsTagAndLeavesTheSessionWorking()
    {
        using var pair = new CorePair();
        pair.Handshake();
        byte[] datagram = Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B)).Bytes!;
        byte[] tampered = (byte[])datagram.Clone();
        tampered[30] ^= 1;

        Assert.Equal(DropReason.BadTag, Deliver(pair.B, tampered, SourceA).Result.Reason);
        Assert.Equal(ResultKind.WriteToTunnel, Deliver(pair.B, datagram, SourceA).Result.Kind);
    }

    [Fact]
    public void PaddingIsStrippedUsingTheIpHeaderLength()
    {
        using var pair = new CorePair();
        pair.Handshake();
        byte[] packet = Packets.Ipv4(Packets.A, Packets.B, 13);

        var sent = Send(pair.A, pair.PeerB, packet);
        Assert.Equal(0, (sent.Bytes!.Length - 32) % 16);
        Assert.Equal(packet, Deliver(pair.B, sent.Bytes, SourceA).Bytes);
    }

    [Fact]
    public void AFullMtuPacketIsNotPaddedBeyondTheMtu()
    {
        using var pair = new CorePair();
        pair.Handshake();
        byte[] packet = Packets.Ipv4(Packets.A, Packets.B, pair.A.Mtu - 20);

        var sent = Send(pair.A, pair.PeerB, packet);

        Assert.Equal(pair.A.Mtu + 32, sent.Bytes!.Length);
        Assert.Equal(packet, Deliver(pair.B, sent.Bytes, SourceA).Bytes);
    }

    [Fact]
    public void APacketLargerThanTheMtuIsDropped()
    {
        using var pair = new CorePair();
        pair.Handshake();
        var result = Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B, pair.A.Mtu));
        Assert.Equal(DropReason.PacketTooBig, result.Result.Reason);
    }

    [Fact]
    public void SendingStopsAtRejectAfterMessages()
    {
        using var pair = new CorePair();
        pair.Handshake();
        pair.PeerB.CurrentKeypair!.SkipSendCounterTo(ProtocolConstants.RejectAfterMessages);

        var result = Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B));

        Assert.NotEqual(MessageType.Transport, result.Bytes is null ? 0 : MessageLayout.ReadType(result.Bytes));
        Assert.Equal(1, pair.PeerB.StagedCount);
    }

    [Fact]
    public void ACounterAtTheRejectLimitIsRefusedOnReceive()
    {
        using var pair = new CorePair();
        pair.Handshake();
        pair.PeerB.CurrentKeypair!.SkipSendCounterTo(ProtocolConstants.RejectAfterMessages - 1);
        byte[] last = Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B)).Bytes!;
        Assert.Equal(ResultKind.WriteToTunnel, Deliver(pair.B, last, SourceA).Result.Kind);

        byte[] forged = (byte[])last.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(forged.AsSpan(8), ProtocolConstants.RejectAfterMessages);
        Assert.Equal(DropReason.CounterLimit, Deliver(pair.B, forged, SourceA).Result.Reason);
    }

    [Fact]
    public void ReachingRekeyAfterMessagesAsksForANewHandshake()
    {
        using var pair = new CorePair();
        pair.Handshake();
        pair.PeerB.CurrentKeypair!.SkipSendCounterTo(ProtocolConstants.RekeyAfterMessages);
        pair.Clock.Advance(TimeSpan.FromSeconds(6));

        Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B));
        var tick = Tick(pair.A, pair.PeerB);

        Assert.Equal(MessageType.Initiation, MessageLayout.ReadType(tick.Bytes));
    }

    [Fact]
    public void StagedPlaintextIsErasedBeforeItsBufferGoesBackToTheSharedPool()
    {
        using var pair = new CorePair();
        byte[] packet = Packets.Ipv4(Packets.A, Packets.B, 300, fill: 0x5a);
        var buffer = new byte[BufferSize];
        packet.CopyTo(buffer, MessageLayout.TransportHeaderSize);
        pair.A.Encapsulate(pair.PeerB, buffer, packet.Length);
        Assert.Equal(1, pair.PeerB.StagedCount);

        pair.PeerB.ClearStaged();

        // The pool hands this thread its most recently returned buffer of that size first.
        byte[] reused = System.Buffers.ArrayPool<byte>.Shared.Rent(packet.Length);
        try
        {
            Assert.False(reused.AsSpan().IndexOf(packet.AsSpan(20, 64)) >= 0, "staged plaintext was left in a pooled buffer");
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(reused);
        }
    }
}
