using Taltun.Interop;
using Taltun.Tests.Interop;
using Taltun.Tests.Offload;
using Taltun.Tun;

namespace Taltun.Tests.Tun;

/// <summary>
/// What the packet loops rely on in a multi-queue TUN device: the kernel answers a packet within
/// the write that injects it, and sends the packets of that flow to the queue that writes it, so
/// the loop that wrote a request reads its reply.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed unsafe class TunQueueTests : IDisposable
{
    private readonly NetworkNamespace _namespace = new("taltun-tunq");

    [Fact]
    public void TcpRepliesComeBackOnTheQueueThatWritesTheFlowWithinTheWrite()
    {
        using TunDevice tun = Open();
        uint sequence = 1000;
        AssertRepliesFollow(tun, () => TestPackets.Tcp(4, sequence += 1000, TestPackets.Syn, []), 6);
    }

    [Fact]
    public void EchoRepliesComeBackOnTheQueueThatWritesTheFlowWithinTheWrite()
    {
        using TunDevice tun = Open();
        ushort sequence = 0;
        AssertRepliesFollow(tun, () => Icmp.Echo(Icmp.EchoRequest, TestPackets.V4Source, TestPackets.V4Destination, id: 0x7175, ++sequence), 1);
    }

    public void Dispose() => _namespace.Dispose();

    /// <summary>
    /// The kernel learns a flow's queue after it has handled the packet written, so the reply to
    /// the first packet a queue writes may go to the queue before; from the second on, the reply
    /// waits on the writer's queue when the write returns.
    /// </summary>
    private static void AssertRepliesFollow(TunDevice tun, Func<byte[]> request, byte protocol)
    {
        foreach (int queue in (int[])[1, 0, 1])
        {
            Write(tun, queue, request());
            Assert.True(ReadReply(tun, 0, protocol) is not null || ReadReply(tun, 1, protocol) is not null, "the reply waits when the write returns");

            for (int i = 0; i < 3; i++)
            {
                Write(tun, queue, request());
                Assert.NotNull(ReadReply(tun, queue, protocol));
                Assert.Null(ReadReply(tun, 1 - queue, protocol));
            }
        }
    }

    private TunDevice Open()
    {
        TunDevice tun = _namespace.Invoke(() => TunDevice.Open("tunq0", queues: 2));
        _namespace.Exec("sysctl", "-q", "-w", "net.ipv6.conf.tunq0.disable_ipv6=1");
        _namespace.Exec("ip", "address", "add", "10.0.0.1/24", "dev", "tunq0");
        _namespace.Exec("ip", "link", "set", "tunq0", "up");
        return tun;
    }

    private static void Write(TunDevice tun, int queue, byte[] packet)
    {
        fixed (byte* data = packet)
        {
            Assert.True(tun.Write(queue, data, packet.Length, out int errno), $"write failed ({Errno.Describe(errno)})");
        }
    }

    /// <summary>The IPv4 packet of <paramref name="protocol"/> waiting on the queue (others are skipped), or null if none waits.</summary>
    private static byte[]? ReadReply(TunDevice tun, int queue, byte protocol)
    {
        byte[] buffer = new byte[2048];
        while (true)
        {
            int length;
            fixed (byte* data = buffer)
            {
                length = tun.Read(queue, data, buffer.Length, out _);
            }

            if (length < 0)
            {
                return null;
            }

            if (length >= 40 && buffer[0] >> 4 == 4 && buffer[9] == protocol)
            {
                return buffer[..length];
            }
        }
    }
}
