using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Taltun.Control;
using Taltun.Crypto;
using Taltun.Tests.Device;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Control;

/// <summary>
/// Hostile and broken local clients of a hub's control socket: garbage, a line of a gigabyte, a
/// client that never finishes its request or never reads its reply, a hundred connections at
/// once, a set beyond the request limit. Each costs the attacker its own connection and nothing
/// else: a spoke's pings through the tunnel keep coming back during the attack, and afterwards
/// wg still shows the tunnel. The hub and the spoke live in test namespaces; the socket has a
/// name of its own in wg's directory, so wg finds it.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class ControlAttackTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly TunnelHost _hub = new("hub", "10.0.0.1", "cta");
    private readonly TunnelHost _spoke = new("spk", "10.0.0.2", "cta");
    private readonly string _name = $"cta{Random.Shared.Next(100_000)}";
    private readonly List<Socket> _clients = [];
    private ControlServer? _server;

    public ControlAttackTests()
    {
        NetworkNamespace.Connect(_hub.Namespace, "10.98.0.1/24", _spoke.Namespace, "10.98.0.2/24");
        _hub.Start([_spoke.AsPeer(null, "10.0.0.2/32")], name: _name);
        _spoke.Start([_hub.AsPeer("10.98.0.1:9000", "10.0.0.0/24")]);
        Assert.Equal(3, _spoke.Ping("10.0.0.1"));
    }

    [Theory]
    [InlineData("hello\n")]
    [InlineData("get=2\n\n")]
    [InlineData("GET=1\n\n")]
    [InlineData("get=1\nnot the blank line\n")]
    [InlineData("\0\0\0\0\n\n")]
    [InlineData("random")]
    public void GarbageClosesTheConnectionWithoutAReply(string garbage)
    {
        Serve(new ControlOptions());
        byte[] bytes = garbage == "random" ? RandomBytes(65536) : Encoding.ASCII.GetBytes(garbage);

        WhileAttacked(() =>
        {
            // Closed at once, as wireguard-go closes on an operation it does not know: well
            // before the idle timeout (10 s) would close a client that is merely waited for.
            using Socket client = Connect(TimeSpan.FromSeconds(5));
            client.Send(bytes);
            Assert.Equal(0, ReadUntilClosed(client));
        });
    }

    [Fact]
    public void ABrokenExtensionRequestIsAnsweredWithAnErrorAndTheTunnelServesOn()
    {
        Serve(new ControlOptions());

        WhileAttacked(() =>
        {
            using Socket client = Connect(TimeSpan.FromSeconds(5));
            client.Send("taltun=1\n{\"op\": [1, 2, \n"u8.ToArray());
            string reply = ReadLine(client);
            Assert.Contains("\"error\"", reply, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("Not a Taltun control request", reply, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("get=1\n")]
    [InlineData("set=1\n")]
    [InlineData("set=1\npublic_key=")]
    public void ALineOfAGigabyteIsCutOffAtTheLineLimit(string prefix)
    {
        Serve(new ControlOptions());
        long accepted = 0;
        WhileAttacked(() => accepted = StreamUntilRefused(Encoding.ASCII.GetBytes(prefix), 1L << 30));

        // The server reads a little past 4,096 bytes and hangs up; the rest is what the kernel
        // buffered for the connection (about 200 KB). Buffering the line would take all of it.
        Assert.InRange(accepted, 4096, 1 << 20);
    }

    [Fact]
    public void AnExtensionRequestIsCutOffAtTheRequestLimit()
    {
        Serve(new ControlOptions { MaxRequestBytes = 4 << 20 });
        long accepted = 0;
        WhileAttacked(() => accepted = StreamUntilRefused("taltun=1\n{\"op\":\""u8.ToArray(), 1L << 30));
        Assert.InRange(accepted, 4 << 20, 5 << 20);
    }

    [Theory]
    [InlineData("")]
    [InlineData("get=1\n")]
    [InlineData("set=1\nlisten_port=9100\n")]
    [InlineData("taltun=1\n{\"op\":")]
    public void AClientThatStopsMidRequestIsClosedAfterTheIdleTimeout(string unfinished)
    {
        Serve(new ControlOptions { IdleTimeout = TimeSpan.FromSeconds(1) });

        WhileAttacked(() =>
        {
            using Socket client = Connect(Patience);
            client.Send(Encoding.ASCII.GetBytes(unfinished));
            var waited = Stopwatch.StartNew();
            Assert.Equal(0, ReadUntilClosed(client));
            Assert.True(waited.Elapsed >= TimeSpan.FromSeconds(0.9), $"closed after {waited.Elapsed}, before the idle timeout");
        });

        Assert.Equal(9000, _hub.Tunnel!.ListenPort);
    }

    [Fact]
    public void AClientThatSendsAByteAtATimeIsClosedAfterTheRequestTimeout()
    {
        Serve(new ControlOptions { IdleTimeout = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromSeconds(2) });

        WhileAttacked(() =>
        {
            // Never idle for a second, so only the request's own deadline ends it.
            using Socket client = Connect(Patience);
            var dripping = Stopwatch.StartNew();
            bool closed = false;
            while (!closed && dripping.Elapsed < Patience)
            {
                try
                {
                    client.Send("set=1\n"u8.ToArray().AsSpan(0, 1));
                    Thread.Sleep(200);
                }
                catch (SocketException)
                {
                    closed = true;
                }
            }

            Assert.True(closed, "a client sending a byte every 200 ms was served for 20 s");
            Assert.InRange(dripping.Elapsed, TimeSpan.FromSeconds(1.9), Patience);
        });
    }

    [Fact]
    public void AHundredConnectionsGetSixteenServedTheRestClosedAndWgBackOnceTheyGo()
    {
        var options = new ControlOptions { IdleTimeout = TimeSpan.FromMinutes(1) };
        Serve(options);
        ControlServer server = _server!;
        Assert.Equal(16, options.MaxConnections);

        List<Socket> held = [];
        WhileAttacked(
            () =>
            {
                for (int i = 0; i < 100; i++)
                {
                    held.Add(Connect(TimeSpan.FromSeconds(5)));
                }

                WaitFor(() => server.Refused >= 84, "the server to close the connections beyond its 16");
                Assert.Equal(84, server.Refused);

                // Those beyond the limit were closed; the first 16 are served (each answers a get).
                WaitFor(() => held.Count(c => c.Poll(0, SelectMode.SelectRead) && c.Available == 0) == 84, "84 connections to be closed");
                List<Socket> served = [.. held.Where(c => !c.Poll(0, SelectMode.SelectRead))];
                Assert.Equal(16, served.Count);
                foreach (Socket client in served)
                {
                    client.Send("get=1\n\n"u8.ToArray());
                    Assert.EndsWith("errno=0\n\n", ReadReply(client));
                }

                // wg is refused while they hold every slot, and served again once they go.
                Assert.NotEqual(0, _hub.Namespace.TryExec("wg", "show", _name).ExitCode);
                foreach (Socket client in held)
                {
                    client.Dispose();
                }
            },
            wgAfterwards: true);
    }

    [Fact]
    public void AClientThatNeverReadsItsRepliesBlocksNobodyAndIsDropped()
    {
        Serve(new ControlOptions { IdleTimeout = TimeSpan.FromSeconds(3) });
        var control = new ControlClient(_name, _server!.Path, Patience);
        Assert.Equal("errno=0\n\n", control.Uapi(ManyPeers(250, firstHost: 3)));
        int replyBytes = control.Uapi("get=1\n\n").Length;
        Assert.True(replyBytes > 50_000, $"a reply of {replyBytes} bytes fits the socket's buffer");

        WhileAttacked(() =>
        {
            // Forty replies asked for at once: far more than the kernel buffers for a client that never reads.
            using Socket stuck = Connect(Patience);
            stuck.Send(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("get=1\n\n", 40))));
            Thread.Sleep(300);

            // Meanwhile others are served at once (well within the stuck client's idle timeout).
            (int exitCode, string output) = _hub.Namespace.TryExec("timeout", "2", "wg", "show", _name, "peers");
            Assert.Equal(0, exitCode);
            Assert.Equal(251, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

            // The server gave up on the stuck client after its idle timeout: reading now gets what
            // was buffered, then the end, and far fewer than the forty replies.
            Thread.Sleep(TimeSpan.FromSeconds(5));
            long read = ReadUntilClosed(stuck);
            Assert.InRange(read, replyBytes, 10L * replyBytes);
        });
    }

    [Fact]
    public void ASetOfManyPeersIsAppliedWithinTheRequestLimitAndRefusedWholeBeyondIt()
    {
        Serve(new ControlOptions { MaxRequestBytes = 64 << 10 });
        var control = new ControlClient(_name, _server!.Path, Patience);
        string within = ManyPeers(250, firstHost: 3);
        string beyond = ManyPeers(700, firstHost: null);
        Assert.InRange(Encoding.ASCII.GetByteCount(within), 16 << 10, 64 << 10);
        Assert.True(Encoding.ASCII.GetByteCount(beyond) > 64 << 10);

        WhileAttacked(() =>
        {
            // Beyond the limit the connection ends mid-request, with no errno, and nothing applies.
            using (Socket client = Connect(Patience))
            {
                try
                {
                    client.Send(Encoding.ASCII.GetBytes(beyond));
                }
                catch (SocketException)
                {
                    // Closed while still sending: the limit at work.
                }

                Assert.DoesNotContain("errno", Encoding.ASCII.GetString(ReadAll(client)), StringComparison.Ordinal);
            }

            Assert.Single(_hub.Tunnel!.Configuration.Peers);
            Assert.Equal("errno=0\n\n", control.Uapi(within));
            Assert.Equal(251, _hub.Tunnel.Configuration.Peers.Count);
        });
    }

    public void Dispose()
    {
        foreach (Socket client in _clients)
        {
            client.Dispose();
        }

        _server?.Dispose();
        _spoke.Dispose();
        _hub.Dispose();
    }

    private void Serve(ControlOptions options) =>
        _server = ControlServer.Start(new TunnelControl(_hub.Tunnel!, _hub.Namespace.Name), options);

    /// <summary>
    /// Runs <paramref name="attack"/> while the spoke pings the hub through the tunnel; every
    /// echo must come back. Afterwards the tunnel still carries traffic and wg shows it.
    /// </summary>
    private void WhileAttacked(Action attack, bool wgAfterwards = true)
    {
        Task<int> pings = Task.Run(() => _spoke.Ping("10.0.0.1", 15));
        attack();
        Assert.Equal(15, pings.Result);
        Assert.Equal(3, _spoke.Ping("10.0.0.1"));
        if (wgAfterwards)
        {
            // Give the server a moment to see the attacker's connections end.
            WaitFor(() => _hub.Namespace.TryExec("wg", "show", _name).ExitCode == 0, "wg show to work again");
            Assert.Contains($"interface: {_name}", _hub.Namespace.Exec("wg", "show", _name));
        }
    }

    private Socket Connect(TimeSpan timeout)
    {
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
        {
            ReceiveTimeout = (int)timeout.TotalMilliseconds,
            SendTimeout = (int)timeout.TotalMilliseconds,
        };
        _clients.Add(client);
        client.Connect(new UnixDomainSocketEndPoint(_server!.Path));
        return client;
    }

    /// <summary>Sends <paramref name="prefix"/> and then up to <paramref name="total"/> bytes of 'a' without a newline; returns how many the connection took before the server hung up.</summary>
    private long StreamUntilRefused(byte[] prefix, long total)
    {
        using Socket client = Connect(Patience);
        client.Send(prefix);
        byte[] chunk = new byte[65536];
        Array.Fill(chunk, (byte)'a');
        long sent = prefix.Length;
        try
        {
            while (sent < total)
            {
                sent += client.Send(chunk);
            }
        }
        catch (SocketException)
        {
            // EPIPE, or (a send blocked on a full buffer when the server hung up) EAGAIN: either way, see that it hung up.
            Assert.Equal(0, ReadUntilClosed(client));
            return sent;
        }

        Assert.Fail($"The server took the whole line of {total} bytes.");
        return sent;
    }

    /// <summary>Reads until the server closes the connection and returns how many bytes came; fails if it stays open past the client's receive timeout.</summary>
    private static long ReadUntilClosed(Socket client)
    {
        long read = 0;
        byte[] buffer = new byte[65536];
        try
        {
            while (client.Receive(buffer) is int received and > 0)
            {
                read += received;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed with our unread requests still queued: the kernel says reset, after the data.
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            Assert.Fail($"The server kept the connection open ({read} bytes read).");
        }

        return read;
    }

    private static byte[] ReadAll(Socket client)
    {
        using var all = new MemoryStream();
        byte[] buffer = new byte[65536];
        try
        {
            while (client.Receive(buffer) is int received and > 0)
            {
                all.Write(buffer, 0, received);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }

        return all.ToArray();
    }

    private static string ReadLine(Socket client)
    {
        var line = new StringBuilder();
        byte[] one = new byte[1];
        while (client.Receive(one) == 1 && one[0] != '\n')
        {
            line.Append((char)one[0]);
        }

        return line.ToString();
    }

    private static string ReadReply(Socket client)
    {
        var reply = new StringBuilder();
        byte[] buffer = new byte[65536];
        while (!reply.ToString().EndsWith("\n\n", StringComparison.Ordinal) && client.Receive(buffer) is int received and > 0)
        {
            reply.Append(Encoding.ASCII.GetString(buffer, 0, received));
        }

        return reply.ToString();
    }

    /// <summary>A set=1 adding <paramref name="count"/> new peers, each with a host of the hub's subnet from <paramref name="firstHost"/> on (no routes to add), or with no address at all.</summary>
    private static string ManyPeers(int count, int? firstHost)
    {
        var set = new StringBuilder("set=1\n");
        for (int i = 0; i < count; i++)
        {
            using var key = PrivateKey.Generate();
            set.Append($"public_key={key.PublicKey.ToHex()}\npersistent_keepalive_interval=0\n");
            if (firstHost is { } first)
            {
                set.Append($"allowed_ip=10.0.0.{first + i}/32\n");
            }
        }

        return set.Append('\n').ToString();
    }

    private static byte[] RandomBytes(int length)
    {
        byte[] bytes = new byte[length];
        new Random(13).NextBytes(bytes);
        return bytes;
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < Patience, $"Waited {Patience.TotalSeconds} s for {what}.");
            Thread.Sleep(50);
        }
    }
}
