using System.Runtime.InteropServices;
using CsCheck;
using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Offload;
using Taltun.Protocol;
using Taltun.Routing;
using Taltun.Tests.Offload;
using Taltun.Tests.Protocol;
using Xunit.Abstractions;
using static Taltun.Tests.Protocol.CorePair;

namespace Taltun.Tests.Fuzz;

/// <summary>
/// One fuzz target per parser of untrusted bytes: what arrives from the network (every message
/// type, cookie replies included), what the TUN device hands over (super-packets to split, segments
/// to merge, SYNs to clamp, IP headers, relay rules), configuration files and the control socket's requests. Each runs mutants of
/// valid seeds for <see cref="Mutator.Seconds"/> and fails on any exception other than the one the
/// parser documents. bench/fuzz.sh runs them long; the output says how many cases each ran.
/// </summary>
public sealed class FuzzTargets(ITestOutputHelper output)
{
    [Fact]
    public void DatagramsOfEveryMessageType()
    {
        using var pair = new CorePair();
        pair.Handshake();
        pair.Clock.Advance(TimeSpan.FromSeconds(6));
        byte[] transport = Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B, 200)).Bytes!;
        byte[] keepalive = Send(pair.A, pair.PeerB, []).Bytes!;
        byte[] initiation = Initiation(pair.B, pair.PeerA);
        byte[] response = Deliver(pair.A, initiation, SourceB).Bytes!;
        pair.Clock.Advance(TimeSpan.FromSeconds(6));
        pair.B.UnderLoad = true;
        byte[] cookieReply = Deliver(pair.B, Initiation(pair.A, pair.PeerB), SourceA).Bytes!;
        pair.B.UnderLoad = false;

        // Every seed has been received once: from here on each is a replay or a forgery.
        Deliver(pair.B, response, SourceA);
        Deliver(pair.B, transport, SourceA);
        Keypair session = pair.PeerA.CurrentKeypair!;
        Keypair other = pair.PeerB.CurrentKeypair!;

        Run(Mutator.Mutants(transport, keepalive, initiation, response, cookieReply), datagram =>
        {
            pair.A.UnderLoad = datagram.Length % 2 == 0;
            Deliver(pair.A, datagram, SourceB);
            Deliver(pair.B, datagram, SourceA);
        });

        // Nothing forged took the place of the session, and it still carries traffic.
        Assert.Same(session, pair.PeerA.CurrentKeypair);
        Assert.Same(other, pair.PeerB.CurrentKeypair);
        byte[] packet = Packets.Ipv4(Packets.A, Packets.B);
        Assert.Equal(packet, Deliver(pair.B, Send(pair.A, pair.PeerB, packet).Bytes!, SourceA).Bytes);
    }

    [Fact]
    public void CookieReplies()
    {
        using var pair = new CorePair();
        pair.B.UnderLoad = true;
        byte[] initiation = Initiation(pair.A, pair.PeerB);
        byte[] reply = Deliver(pair.B, initiation, SourceA).Bytes!;

        Run(Mutator.Mutants(reply), bytes => Deliver(pair.A, bytes, SourceB));

        // The genuine reply still decrypts: no mutant changed what the initiator waits for.
        Assert.Equal(ResultKind.Done, Deliver(pair.A, reply, SourceB).Result.Kind);
    }

    [Fact]
    public unsafe void TcpSegmentsToMerge()
    {
        using var tun = new PacketPipe();
        using var coalescer = new TcpCoalescer();
        byte[][] seeds =
        [
            TestPackets.Tcp(4, 1000, TestPackets.Ack, TestPackets.Payload(700)),
            TestPackets.Tcp(4, 1700, TestPackets.Ack | TestPackets.Psh, TestPackets.Payload(300)),
            TestPackets.Tcp(6, 1000, TestPackets.Ack, TestPackets.Payload(500)),
            TestPackets.Udp(4, TestPackets.Payload(40)),
        ];
        byte* buffer = (byte*)NativeMemory.Alloc(TcpCoalescer.Headroom + 70_000);
        try
        {
            Run(Mutator.Mutants(seeds).Array[1, 8], packets =>
            {
                // Each packet lies behind the headroom the receive path leaves; a batch shares one buffer.
                int used = 0;
                foreach (byte[] packet in packets)
                {
                    byte* at = buffer + used + TcpCoalescer.Headroom;
                    packet.CopyTo(new Span<byte>(at, packet.Length));
                    coalescer.Add(at, packet.Length);
                    used += TcpCoalescer.Headroom + packet.Length;
                }

                // Whatever it made of them, everything it took went to the device, in one piece or merged.
                Assert.Equal(0, coalescer.Flush(tun.Write));
                Assert.InRange(tun.ReadBytes().Length, 1, packets.Sum(p => VirtioNetHeader.Size + p.Length));
            });
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }

    [Fact]
    public void SuperPacketsToSplit()
    {
        byte[][] seeds =
        [
            [.. Header(VirtioNetHeader.GsoTcpV4, 40, 1000), .. TestPackets.Tcp(4, 1, TestPackets.Ack, TestPackets.Payload(2500))],
            [.. Header(VirtioNetHeader.GsoTcpV6, 60, 700), .. TestPackets.Tcp(6, 1, TestPackets.Ack | TestPackets.Psh, TestPackets.Payload(1500))],
            [.. Header(VirtioNetHeader.GsoUdpL4, 28, 500), .. TestPackets.Udp(4, TestPackets.Payload(1200))],
            [.. Header(VirtioNetHeader.GsoNone, 0, 0), .. TestPackets.Udp(6, TestPackets.Payload(100))],
        ];
        var area = new byte[64 * 2048];
        var lengths = new int[64];

        Run(Mutator.Mutants(seeds), read =>
        {
            if (read.Length < VirtioNetHeader.Size)
            {
                return;
            }

            VirtioNetHeader header = VirtioNetHeader.Read(read);
            int segments = Segmenter.Split(read.AsSpan(VirtioNetHeader.Size), header, area, 2048, 16, 64, lengths);
            for (int i = 0; i < segments; i++)
            {
                Assert.InRange(lengths[i], 1, 2048 - 16);
            }
        });
    }

    [Fact]
    public void SynsToClamp()
    {
        byte[] mss = [2, 4, 0x05, 0xb4, 1, 1, 4, 2];
        byte[][] seeds =
        [
            TestPackets.Tcp(4, 1, TestPackets.Syn, [], options: mss),
            TestPackets.Tcp(6, 1, TestPackets.Syn | TestPackets.Ack, [], options: mss),
        ];

        Run(Mutator.Mutants(seeds), packet =>
        {
            int length = packet.Length;
            MssClamp.Apply(packet, 1420);
            Assert.Equal(length, packet.Length);
        });
    }

    [Fact]
    public void IpHeadersAndRelayRules()
    {
        var rules = new RelayPolicy(RelayMode.Rules, [
            new RelayRule([System.Net.IPNetwork.Parse("10.0.0.0/24")], [System.Net.IPNetwork.Parse("10.0.0.0/24")], RelayProtocol.Tcp, [new PortRange(5201, 5201)]),
            new RelayRule([System.Net.IPNetwork.Parse("fd00::/64")], [System.Net.IPNetwork.Parse("fd00::/64")], RelayProtocol.Any, []),
        ]);
        byte[][] seeds =
        [
            TestPackets.Tcp(4, 1, TestPackets.Ack, TestPackets.Payload(20)),
            TestPackets.Udp(6, TestPackets.Payload(20)),
            Packets.Ipv4(Packets.A, Packets.B, 8),
        ];

        Run(Mutator.Mutants(seeds), packet =>
        {
            int length = Taltun.Routing.IpPacket.DeclaredLength(packet);
            Assert.True(length == 0 || length >= Taltun.Routing.IpPacket.Ipv4HeaderMin);
            _ = Taltun.Routing.IpPacket.Source(packet);
            _ = Taltun.Routing.IpPacket.Destination(packet);
            rules.Allows(packet);
            Taltun.Routing.IpPacket.TryDecrementHopLimit(packet);
        });
    }

    [Fact]
    public void ConfigurationFiles()
    {
        using var key = PrivateKey.Generate();
        string seed = $"""
            [interface]
            mode = "server"
            tun_name = "tun0"
            vip = ["10.0.0.1/24", "fd00::1/64"]
            local_addr = "0.0.0.0:9000"
            private_key = "{key.ToBase64()}"
            mtu = 1420
            routes = ["192.168.50.0/24"]
            relay = "rules"

            [[peers]]
            public_key = "{PrivateKey.Generate().PublicKey}"
            vip = "10.0.0.2"
            endpoint = "203.0.113.7:9000"
            allowed_ips = ["192.168.1.0/24"]
            persistent_keepalive = 25

            [[relay_rules]]
            source = "10.0.0.0/24"
            destination = ["10.0.0.2/32"]
            protocol = "tcp"
            ports = [22, "8000-8080"]
            """;
        string path = Path.Combine(Path.GetTempPath(), $"taltun-fuzz-{Environment.ProcessId}.toml");

        Run(Mutator.Mutants(System.Text.Encoding.UTF8.GetBytes(seed)), bytes =>
        {
            try
            {
                ConfigurationFile.Parse(System.Text.Encoding.UTF8.GetString(bytes), path).ToOptions();
            }
            catch (ConfigurationException)
            {
                // The one failure a configuration may have: a message naming the line and key.
            }
        });
    }

    [Fact]
    public void ControlSocketRequests()
    {
        using var key = PrivateKey.Generate();
        string peer = PrivateKey.Generate().PublicKey.ToHex();
        string uapi = $"private_key={key.ToHex()}\nlisten_port=51820\nfwmark=7\nreplace_peers=true\npublic_key={peer}\npreshared_key={new string('1', 64)}\nendpoint=[fd00::1]:51820\npersistent_keepalive_interval=25\nreplace_allowed_ips=true\nallowed_ip=10.0.0.2/32\nallowed_ip=fd00::2/128\nupdate_only=true\nremove=false\n";
        string json = $$"""{"op":"apply","update":{"peers":[{"publicKey":"{{PrivateKey.Generate().PublicKey}}","endpoint":"10.0.0.9:9000","persistentKeepalive":25,"allowedIps":[{"prefix":"10.1.0.0/24","remove":false}]}]},"peer":{"publicKey":"{{PrivateKey.Generate().PublicKey}}","virtualIP":"10.0.0.3","allowedIps":["10.2.0.0/24"]},"secrets":true}""";
        var running = new RunningConfiguration(new TunnelConfiguration { PrivateKey = key, Addresses = [InterfaceAddress.Parse("10.0.0.1/24", 24, out _)!.Value] });

        // A set=1 request, line by line as the socket delivers it, then planned on a running
        // configuration: wg's errnos and configuration errors are the only failures.
        Run(Mutator.Mutants(System.Text.Encoding.ASCII.GetBytes(uapi)), bytes =>
        {
            try
            {
                var parser = new Taltun.Control.UapiSetParser();
                foreach (byte[] line in Lines(bytes))
                {
                    parser.Add(line);
                }

                running.Plan(parser.Result, UpdateNames.Uapi);
            }
            catch (Exception e) when (e is Taltun.Control.UapiException or ConfigurationException or KeyFormatException)
            {
            }
        });

        // One line of Taltun's extension, as the server reads it.
        Run(Mutator.Mutants(System.Text.Encoding.UTF8.GetBytes(json)), bytes =>
        {
            try
            {
                System.Text.Json.JsonSerializer.Deserialize<Taltun.Control.ControlRequest>(bytes, Taltun.Control.ControlJson.Options);
            }
            catch (System.Text.Json.JsonException)
            {
            }
        });
    }

    private static IEnumerable<byte[]> Lines(byte[] bytes)
    {
        int start = 0;
        for (int i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == (byte)'\n')
            {
                yield return bytes[start..i];
                start = i + 1;
            }
        }
    }

    private static byte[] Header(byte gsoType, int headerLength, int gsoSize)
    {
        var bytes = new byte[VirtioNetHeader.Size];
        bytes[0] = gsoType == VirtioNetHeader.GsoNone ? (byte)0 : VirtioNetHeader.NeedsChecksum;
        bytes[1] = gsoType;
        BitConverter.TryWriteBytes(bytes.AsSpan(2), (ushort)headerLength);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), (ushort)gsoSize);
        return bytes;
    }

    /// <summary>Runs <paramref name="target"/> on one thread (the targets keep state) for the budget; CsCheck shrinks any failure.</summary>
    private void Run<T>(Gen<T> inputs, Action<T> target, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        inputs.Sample(target, writeLine: line => output.WriteLine($"{name}: {line}"), time: Mutator.Seconds, threads: 1);
    }
}
