using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Taltun.Crypto;
using Taltun.Protocol;
using Taltun.Transport;

namespace Taltun.Swarm;

/// <summary>
/// One WireGuard peer of the swarm: its own key, its own UDP socket (address and port), and
/// Taltun's protocol core speaking to the hub — real handshakes, keepalives, and an echo request
/// now and then. It notices a hub that forgot it (two echoes unanswered) and connects again.
/// Not thread-safe: the swarm's loop ticks it; receiving runs on its own task and takes the lock.
/// </summary>
internal sealed class SwarmPeer : IDisposable
{
    private readonly ProtocolCore _core;
    private readonly Peer _hub;
    private readonly Socket _socket;
    private readonly EndPoint _hubEndPoint;
    private readonly byte[] _tunnelAddress;
    private readonly byte[] _hubAddress;
    private readonly byte[] _send = new byte[2048];
    private readonly Lock _lock = new();
    private ushort _sequence;
    private int _unanswered;

    public SwarmPeer(PrivateKey key, PublicKey hubKey, IPEndPoint hub, IPAddress source, IPAddress tunnelAddress, IPAddress hubAddress, TimeSpan keepalive)
    {
        Key = key;
        TunnelAddress = tunnelAddress;
        _core = new ProtocolCore(key, TimeProvider.System);
        _hub = _core.AddPeer(hubKey, null, keepalive);
        _hub.Endpoint = new UdpEndpoint(hub);
        _core.AllowedIps.Insert(new IPNetwork(IPAddress.Any, 0), _hub);
        _hubEndPoint = hub;
        _tunnelAddress = tunnelAddress.GetAddressBytes();
        _hubAddress = hubAddress.GetAddressBytes();
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(source, 0));
    }

    public PrivateKey Key { get; }

    public IPAddress TunnelAddress { get; }

    /// <summary>Whether the hub answered an echo since the peer last connected (again).</summary>
    public bool Connected { get; private set; }

    /// <summary>When the latest session with the hub was made (UTC), or null.</summary>
    public DateTimeOffset? LatestHandshake => _hub.LatestHandshake;

    public long EchoReplies { get; private set; }

    public long CookieReplies { get; private set; }

    /// <summary>Handshake initiations sent: first attempts, retries after a cookie reply, and retransmissions.</summary>
    public long Initiations { get; private set; }

    /// <summary>Receives until the socket closes: every datagram goes through the core; replies go back out.</summary>
    public async Task ReceiveAsync()
    {
        var buffer = new byte[2048];
        var output = new byte[2048];
        byte[] source = [.. ((IPEndPoint)_hubEndPoint).Address.GetAddressBytes(), 0, 0];
        BinaryPrimitives.WriteUInt16BigEndian(source.AsSpan(4), (ushort)((IPEndPoint)_hubEndPoint).Port);
        while (true)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_lock)
            {
                if (length == MessageLayout.CookieReplySize && ProtocolCore.Classify(buffer.AsSpan(0, length)) == MessageType.CookieReply)
                {
                    CookieReplies++;
                }

                ProtocolResult result = _core.Receive(buffer, length, source, output);
                if (result.Kind == ResultKind.WriteToNetwork)
                {
                    Send(output.AsSpan(result.Offset, result.Length));
                }
                else if (result.Kind == ResultKind.WriteToTunnel && buffer[result.Offset + 9] == 1 && buffer[result.Offset + 20] == 0)
                {
                    EchoReplies++;
                    _unanswered = 0;
                    Connected = true;
                }

                Flush();
            }
        }
    }

    /// <summary>Runs the peer's timers (handshake retries, keepalives) and sends what they produce.</summary>
    public void Tick()
    {
        lock (_lock)
        {
            Flush();
        }
    }

    /// <summary>An echo request to the hub's address; after two go unanswered the peer connects again.</summary>
    public void Echo()
    {
        lock (_lock)
        {
            if (++_unanswered > 2)
            {
                Connected = false;
                _unanswered = 0;
                _core.RequestHandshake(_hub);
            }

            byte[] packet = EchoRequest(_sequence++);
            packet.CopyTo(_send, MessageLayout.TransportHeaderSize);
            ProtocolResult result = _core.Encapsulate(_hub, _send, packet.Length);
            if (result.Kind == ResultKind.WriteToNetwork)
            {
                Send(_send.AsSpan(result.Offset, result.Length));
            }

            Flush();
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _core.Dispose();
        Key.Dispose();
    }

    private void Flush()
    {
        while (_core.Tick(_hub, _send) is { Kind: not ResultKind.Done } tick)
        {
            if (tick.Kind == ResultKind.WriteToNetwork)
            {
                Send(_send.AsSpan(tick.Offset, tick.Length));
            }
        }

        while (_core.TakeStaged(_hub, _send) is { Kind: ResultKind.WriteToNetwork } staged)
        {
            Send(_send.AsSpan(staged.Offset, staged.Length));
        }
    }

    private void Send(ReadOnlySpan<byte> datagram)
    {
        if (ProtocolCore.Classify(datagram) == MessageType.Initiation)
        {
            Initiations++;
        }

        _socket.SendTo(datagram, SocketFlags.None, _hubEndPoint);
    }

    private byte[] EchoRequest(ushort sequence)
    {
        var packet = new byte[28];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 28);
        packet[8] = 64;
        packet[9] = 1;
        _tunnelAddress.CopyTo(packet, 12);
        _hubAddress.CopyTo(packet, 16);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Checksum(packet.AsSpan(0, 20)));
        packet[20] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(24), 0x5757);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(26), sequence);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(22), Checksum(packet.AsSpan(20)));
        return packet;
    }

    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
