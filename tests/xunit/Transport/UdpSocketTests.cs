using System.Net;
using System.Net.Sockets;
using Taltun.Interop;
using Taltun.Tests.Interop;
using Taltun.Transport;

namespace Taltun.Tests.Transport;

/// <summary>Batched sends and receives on loopback of a test namespace, with and without the kernel's UDP offloads.</summary>
[Collection(InteropCollection.Name)]
public sealed unsafe class UdpSocketTests : IDisposable
{
    private readonly NetworkNamespace _namespace = new("taltun-udp");
    private readonly ShutdownSignal _shutdown = new();

    [Fact]
    public void RunsOfEqualDatagramsGoAsOneSegmentedMessageAndArriveWhole()
    {
        UdpSocket sender = Open();
        using Socket receiver = Receiver(out UdpEndpoint target);
        using var batch = new SendBatch(sender.DualStack);
        byte[][] datagrams = [.. Enumerable.Range(0, 5).Select(i => Enumerable.Repeat((byte)i, i == 4 ? 300 : 1000).ToArray())];

        fixed (byte* a = datagrams[0], b = datagrams[1], c = datagrams[2], d = datagrams[3], e = datagrams[4])
        {
            foreach ((IntPtr pointer, int length) in new[] { ((IntPtr)a, 1000), ((IntPtr)b, 1000), ((IntPtr)c, 1000), ((IntPtr)d, 1000), ((IntPtr)e, 300) })
            {
                Assert.True(batch.Add((byte*)pointer, length, target));
            }

            Assert.True(sender.Segmentation, "this kernel has UDP GSO");
            Assert.Equal(1, batch.Build(segment: true));
            Assert.Equal(0, sender.Send(batch));
        }

        Assert.Equal(datagrams, ReceiveAll(receiver, 5));
        sender.Dispose();
    }

    [Fact]
    public void ARefusedSegmentedSendFallsBackToOneDatagramPerMessage()
    {
        UdpSocket sender = Open();
        // Without transmit checksums the kernel refuses UDP GSO (EINVAL), as a route without
        // checksum offload refuses it (EIO): the batch must still arrive, datagram by datagram.
        Assert.Equal(0, Libc.SetSockOpt(sender.Fd, Libc.SOL_SOCKET, 11 /* SO_NO_CHECK */, 1));
        int refused = 0;
        sender.SegmentationRefused += _ => refused++;
        using Socket receiver = Receiver(out UdpEndpoint target);
        using var batch = new SendBatch(sender.DualStack);
        byte[] payload = Enumerable.Repeat((byte)7, 800).ToArray();

        fixed (byte* data = payload)
        {
            for (int i = 0; i < 4; i++)
            {
                batch.Add(data, payload.Length, target);
            }

            Assert.Equal(0, sender.Send(batch));
        }

        Assert.Equal(1, refused);
        Assert.False(sender.Segmentation);
        Assert.Equal(4, ReceiveAll(receiver, 4).Count(d => d.Length == 800));
        sender.Dispose();
    }

    [Fact]
    public void CoalescedReceivesAreCutBackIntoDatagrams()
    {
        (UdpSocket receiver, UdpSocket sender, UdpEndpoint target) = CoalescingPair();
        using var batch = new SendBatch(sender.DualStack);
        byte[] payload = [.. Enumerable.Range(0, 1200).Select(i => (byte)i)];
        fixed (byte* data = payload)
        {
            for (int i = 0; i < 10; i++)
            {
                batch.Add(data, payload.Length, target);
            }

            sender.Send(batch);
        }

        using var received = new ReceiveBatch(slotSize: 65536);
        var datagrams = new List<int>();
        int messages = 0;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (datagrams.Count < 10 && DateTime.UtcNow < deadline)
        {
            int count = receiver.Receive(received, out _);
            messages += count;
            for (int i = 0; i < count; i++)
            {
                int size = received.SegmentSize(i);
                for (int offset = 0; offset < received.Length(i); offset += size)
                {
                    datagrams.Add(Math.Min(size, received.Length(i) - offset));
                    Assert.Equal(payload, received.Packet(i).Slice(offset, 1200).ToArray());
                }
            }
        }

        Assert.Equal(Enumerable.Repeat(1200, 10), datagrams);
        Assert.True(messages < 10, $"10 datagrams came as {messages} messages: the kernel coalesced them");
        sender.Dispose();
        receiver.Dispose();
    }

    [Fact]
    public void ABatchReceivesACoalescedTrainWhereALoneDatagramWasBefore()
    {
        // A lone datagram comes with no control message, so the kernel sets that header's control
        // length to 0; the next receive into the same header must offer the full buffer again,
        // or the train's segment size is cut off and the train read as one datagram.
        (UdpSocket receiver, UdpSocket sender, UdpEndpoint target) = CoalescingPair();
        using var batch = new SendBatch(sender.DualStack);
        byte[] payload = new byte[1200];
        using var received = new ReceiveBatch(slotSize: 65536);
        fixed (byte* data = payload)
        {
            batch.Add(data, 100, target);
            sender.Send(batch);
            Assert.Equal(100, Assert.Single(ReceiveDatagrams(receiver, received, 1)));

            for (int i = 0; i < 10; i++)
            {
                batch.Add(data, payload.Length, target);
            }

            sender.Send(batch);
        }

        Assert.Equal(Enumerable.Repeat(1200, 10), ReceiveDatagrams(receiver, received, 10));
        sender.Dispose();
        receiver.Dispose();
    }

    /// <summary>A receiver with UDP GRO on and a sender, both on the namespace's loopback.</summary>
    private (UdpSocket Receiver, UdpSocket Sender, UdpEndpoint Target) CoalescingPair()
    {
        UdpSocket receiver = Open();
        Assert.True(receiver.ReceiveCoalescing, "this kernel has UDP GRO");
        return (receiver, Open(), new UdpEndpoint(new IPEndPoint(IPAddress.Loopback, receiver.Port)));
    }

    private static List<int> ReceiveDatagrams(UdpSocket receiver, ReceiveBatch batch, int expected)
    {
        var sizes = new List<int>();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (sizes.Count < expected && DateTime.UtcNow < deadline)
        {
            int count = receiver.Receive(batch, out _);
            for (int i = 0; i < count; i++)
            {
                int size = batch.SegmentSize(i);
                for (int offset = 0; offset < batch.Length(i); offset += size)
                {
                    sizes.Add(Math.Min(size, batch.Length(i) - offset));
                }
            }
        }

        return sizes;
    }

    public void Dispose()
    {
        _shutdown.Dispose();
        _namespace.Dispose();
    }

    private UdpSocket Open() =>
        Assert.Single(_namespace.Invoke(() => UdpSocket.OpenGroup(new IPEndPoint(IPAddress.Loopback, 0), 1, _shutdown)));

    private Socket Receiver(out UdpEndpoint target)
    {
        Socket socket = _namespace.OpenUdpSocket();
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.ReceiveTimeout = 5000;
        target = new UdpEndpoint((IPEndPoint)socket.LocalEndPoint!);
        return socket;
    }

    private static List<byte[]> ReceiveAll(Socket socket, int count)
    {
        var result = new List<byte[]>();
        var buffer = new byte[65536];
        for (int i = 0; i < count; i++)
        {
            int length = socket.Receive(buffer);
            result.Add(buffer[..length]);
        }

        return result;
    }
}
