using CsCheck;
using Taltun.Protocol;
using static Taltun.Tests.Protocol.CorePair;

namespace Taltun.Tests.Protocol;

/// <summary>
/// Whatever arrives from the network, the core neither throws nor changes an established
/// session: after any garbage, the real traffic still flows.
/// </summary>
public class RobustnessTests
{
    private static readonly int[] MessageSizes = [148, 92, 64, 32, 48];

    [Fact]
    public void RandomDatagramsNeverThrowAndNeverBreakTheSession()
    {
        using var pair = new CorePair();
        pair.Handshake();
        var current = pair.PeerA.CurrentKeypair;

        var garbage = Gen.OneOf(
            Gen.Byte.Array[0, 200],
            // Plausible headers: a valid type byte followed by random bytes of each message size.
            Gen.Select(Gen.Byte[1, 4], Gen.Int[0, 4], (type, size) => (type, size)).SelectMany(t =>
                Gen.Byte.Array[MessageSizes[t.size]].Select(bytes =>
                {
                    bytes[0] = t.type;
                    bytes[1] = bytes[2] = bytes[3] = 0;
                    return bytes;
                })));

        garbage.Sample(bytes =>
        {
            var result = Deliver(pair.B, bytes, SourceA);
            Assert.Equal(ResultKind.Dropped, result.Result.Kind);
        }, iter: 2000);

        Assert.Same(current, pair.PeerA.CurrentKeypair);
        byte[] packet = Packets.Ipv4(Packets.A, Packets.B);
        Assert.Equal(packet, Deliver(pair.B, Send(pair.A, pair.PeerB, packet).Bytes!, SourceA).Bytes);
    }

    [Fact]
    public void MutatedValidMessagesAreRejectedAndLeaveSessionsAsTheyWere()
    {
        using var pair = new CorePair();
        pair.Handshake();

        // One valid message of each kind b could receive from a.
        byte[] transport = Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B)).Bytes!;
        pair.Clock.Advance(TimeSpan.FromSeconds(6));
        byte[] initiation = Initiation(pair.A, pair.PeerB);
        byte[][] valid = [transport, initiation];

        // mac2 (the initiation's last 16 bytes) is only read under load, as in WireGuard, so
        // every byte before it is mutated.
        var mutation = Gen.Select(Gen.Int[0, 1], Gen.Int[0, MessageLayout.InitiationMac2 - 1], Gen.Byte[1, 255], (which, position, flip) => (which, position, flip));
        var keypairBefore = pair.PeerA.CurrentKeypair;
        var nextBefore = pair.PeerA.NextKeypair;

        mutation.Sample(m =>
        {
            byte[] message = (byte[])valid[m.which].Clone();
            int position = m.position % message.Length;
            message[position] ^= m.flip;
            var result = Deliver(pair.B, message, SourceA);
            Assert.Equal(ResultKind.Dropped, result.Result.Kind);
        }, iter: 1000);

        Assert.Same(keypairBefore, pair.PeerA.CurrentKeypair);
        Assert.Same(nextBefore, pair.PeerA.NextKeypair);

        // The unmutated originals still work: nothing was consumed by the forgeries.
        Assert.Equal(ResultKind.WriteToTunnel, Deliver(pair.B, transport, SourceA).Result.Kind);
        Assert.Equal(ResultKind.WriteToNetwork, Deliver(pair.B, initiation, SourceA).Result.Kind);
    }

    [Fact]
    public void TruncatedAndOversizedMessagesAreCountedByReason()
    {
        using var pair = new CorePair();
        byte[] initiation = Initiation(pair.A, pair.PeerB);

        Assert.Equal(DropReason.WrongSize, Deliver(pair.B, initiation[..147], SourceA).Result.Reason);
        Assert.Equal(DropReason.WrongSize, Deliver(pair.B, [.. initiation, 0], SourceA).Result.Reason);
        Assert.Equal(DropReason.TooShort, Deliver(pair.B, [4, 0, 0, 0, 1, 2, 3, 4], SourceA).Result.Reason);
        Assert.Equal(DropReason.UnknownType, Deliver(pair.B, [9, 0, 0, 0, 1, 2, 3, 4], SourceA).Result.Reason);
        Assert.Equal(DropReason.TooShort, Deliver(pair.B, [1], SourceA).Result.Reason);
        Assert.Equal(5, pair.B.Drops.Total);
    }
}
