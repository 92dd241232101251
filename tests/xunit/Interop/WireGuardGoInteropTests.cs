using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Taltun.Crypto;
using Taltun.Protocol;

namespace Taltun.Tests.Interop;

/// <summary>
/// Taltun's protocol core against real wireguard-go (Debian's package) over UDP on the loopback
/// of a namespace the test creates: the core runs on a plain socket, wireguard-go's side is a
/// kernel TUN interface whose kernel answers pings. Both roles, with and without a preshared key.
/// </summary>
[Collection(InteropCollection.Name)]
public class WireGuardGoInteropTests
{
    private static readonly byte[] TaltunAddress = [10, 77, 0, 1];
    private static readonly byte[] WireGuardAddress = [10, 77, 0, 2];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AsInitiatorTaltunHandshakesAndWireGuardGosKernelAnswersAPing(bool withPresharedKey)
    {
        using var rig = new Rig(withPresharedKey);
        var (ns, socket, core, peer, wg, remote) = (rig.Namespace, rig.Socket, rig.Core, rig.Peer, rig.WireGuard, Rig.Remote);
        peer.Endpoint = new Taltun.Transport.UdpEndpoint(remote);

        var buffer = new byte[2048];
        var output = new byte[2048];
        var initiation = core.Initiate(peer, buffer);
        Assert.Equal(ResultKind.WriteToNetwork, initiation.Kind);
        socket.SendTo(buffer.AsSpan(0, initiation.Length), remote);

        var afterResponse = ReceiveUntil(socket, core, buffer, output, r => r.Kind == ResultKind.WriteToNetwork);
        Assert.NotNull(peer.CurrentKeypair);
        socket.SendTo(output.AsSpan(0, afterResponse.Length), remote);

        byte[] echo = Icmp.Echo(Icmp.EchoRequest, TaltunAddress, WireGuardAddress, id: 0x5454, sequence: 1);
        echo.CopyTo(buffer, MessageLayout.TransportHeaderSize);
        var sealedEcho = core.Encapsulate(peer, buffer, echo.Length);
        Assert.Equal(ResultKind.WriteToNetwork, sealedEcho.Kind);
        socket.SendTo(buffer.AsSpan(0, sealedEcho.Length), remote);

        var reply = ReceiveUntil(socket, core, buffer, output, r => r.Kind == ResultKind.WriteToTunnel);
        ReadOnlySpan<byte> packet = buffer.AsSpan(reply.Offset, reply.Length);
        Assert.Equal(WireGuardAddress, packet.Slice(12, 4).ToArray());
        Assert.Equal(TaltunAddress, packet.Slice(16, 4).ToArray());
        Assert.Equal(Icmp.EchoReply, packet[20]);
        Assert.Equal(0x5454, BinaryPrimitives.ReadUInt16BigEndian(packet[24..]));
        Assert.Contains("latest handshake", ns.Exec("wg", "show", wg.InterfaceName));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AsResponderTaltunAnswersWireGuardGosHandshakeAndItsPing(bool withPresharedKey)
    {
        using var rig = new Rig(withPresharedKey);
        var (ns, socket, core, peer, remote) = (rig.Namespace, rig.Socket, rig.Core, rig.Peer, Rig.Remote);

        // ping in wireguard-go's namespace makes it initiate to us.
        var ping = ns.Start("ping", "-c", "1", "-W", "8", "10.77.0.1");
        var buffer = new byte[2048];
        var output = new byte[2048];

        var response = ReceiveUntil(socket, core, buffer, output, r => r.Kind == ResultKind.WriteToNetwork);
        Assert.Equal(MessageLayout.ResponseSize, response.Length);
        socket.SendTo(output.AsSpan(0, response.Length), remote);

        var request = ReceiveUntil(socket, core, buffer, output, r => r.Kind == ResultKind.WriteToTunnel);
        byte[] packet = buffer.AsSpan(request.Offset, request.Length).ToArray();
        Assert.Equal(Icmp.EchoRequest, packet[20]);
        Assert.Equal(WireGuardAddress, packet[12..16]);

        byte[] reply = Icmp.Echo(Icmp.EchoReply, TaltunAddress, WireGuardAddress,
            BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(24)), BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(26)), packet.Length - 28);
        packet.AsSpan(28).CopyTo(reply.AsSpan(28));
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(22), 0);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(22), Icmp.Checksum(reply.AsSpan(20)));
        reply.CopyTo(buffer, MessageLayout.TransportHeaderSize);
        var sealedReply = core.Encapsulate(peer, buffer, reply.Length);
        Assert.Equal(ResultKind.WriteToNetwork, sealedReply.Kind);
        socket.SendTo(buffer.AsSpan(0, sealedReply.Length), remote);

        Assert.True(ping.WaitForExit(Patience), "ping did not finish");
        Assert.Equal(0, ping.ExitCode);
    }

    /// <summary>A test namespace with wireguard-go (10.77.0.2) and a protocol core (10.77.0.1) on a UDP socket on its loopback.</summary>
    private sealed class Rig : IDisposable
    {
        public static readonly IPEndPoint Remote = new(IPAddress.Loopback, WireGuardGo.ListenPort);

        private readonly PrivateKey _key = PrivateKey.Generate();
        private readonly PresharedKey? _psk;

        public Rig(bool withPresharedKey)
        {
            _psk = withPresharedKey ? PresharedKey.Generate() : null;
            Namespace = new NetworkNamespace("taltun-it");
            Socket = Namespace.OpenUdpSocket();
            Socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int localPort = ((IPEndPoint)Socket.LocalEndPoint!).Port;
            WireGuard = WireGuardGo.Start(Namespace, "10.77.0.2/24", _key.PublicKey, "10.77.0.1/32", $"127.0.0.1:{localPort}", _psk);
            Core = new ProtocolCore(_key, TimeProvider.System);
            Peer = Core.AddPeer(WireGuard.Key.PublicKey, _psk);
            Core.AllowedIps.Insert(IPNetwork.Parse("10.77.0.0/24"), Peer);
        }

        public NetworkNamespace Namespace { get; }

        public Socket Socket { get; }

        public WireGuardGo WireGuard { get; }

        public ProtocolCore Core { get; }

        public Peer Peer { get; }

        public void Dispose()
        {
            Core.Dispose();
            Socket.Dispose();
            Namespace.Dispose();
            _psk?.Dispose();
            _key.Dispose();
        }
    }

    /// <summary>Receives datagrams into the core until <paramref name="done"/> holds; fails after a few seconds.</summary>
    private static ProtocolResult ReceiveUntil(Socket socket, ProtocolCore core, byte[] buffer, byte[] output, Func<ProtocolResult, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (DateTime.UtcNow < deadline)
        {
            socket.ReceiveTimeout = (int)Math.Max(1, (deadline - DateTime.UtcNow).TotalMilliseconds);
            int length;
            try
            {
                length = socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                break;
            }

            var source = ((IPEndPoint)from).Address.GetAddressBytes();
            var result = core.Receive(buffer, length, source, output);
            if (done(result))
            {
                return result;
            }
        }

        throw new TimeoutException($"No expected message from wireguard-go within {Patience.TotalSeconds} s; drops: {string.Join(", ", core.Drops.Snapshot())}");
    }
}

/// <summary>Interop tests start processes and namespaces: run them one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class InteropCollection
{
    public const string Name = "Interop";
}
