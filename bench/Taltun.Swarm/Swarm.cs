using System.Buffers.Binary;
using System.Net;
using System.Text;
using Taltun.Crypto;

namespace Taltun.Swarm;

/// <summary>
/// Many WireGuard peers in one process, for loading a hub: peer i sends from the i-th address
/// after <c>firstSource</c> (each its own socket and port) and has the i-th tunnel address after
/// <c>firstTunnelAddress</c>. A loop runs every peer's timers and, while echoes are on, has each
/// send an echo request to the hub every <c>echoInterval</c>, spread over the interval.
/// Thread-safe: <see cref="Run"/> runs on one thread; the counters may be read from any.
/// </summary>
public sealed class Swarm : IDisposable
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(250);

    private readonly List<SwarmPeer> _peers = [];
    private readonly List<Task> _receivers = [];

    public Swarm(int count, PublicKey hubKey, IPEndPoint hub, IPAddress hubAddress, IPAddress firstSource, IPAddress firstTunnelAddress, TimeSpan keepalive)
    {
        for (int i = 0; i < count; i++)
        {
            _peers.Add(new SwarmPeer(PrivateKey.Generate(), hubKey, hub, Offset(firstSource, i), Offset(firstTunnelAddress, i), hubAddress, keepalive));
        }
    }

    /// <summary>Echo requests every this long per peer; zero for none (keepalives only: an idle swarm).</summary>
    public TimeSpan EchoInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int Count => _peers.Count;

    /// <summary>Peers whose latest echo was answered.</summary>
    public int Connected => _peers.Count(p => p.Connected);

    /// <summary>Peers with a session made at or after <paramref name="since"/>.</summary>
    public int HandshakesSince(DateTimeOffset since) => _peers.Count(p => p.LatestHandshake >= since);

    public long CookieReplies => _peers.Sum(p => p.CookieReplies);

    public long EchoReplies => _peers.Sum(p => p.EchoReplies);

    public long Initiations => _peers.Sum(p => p.Initiations);

    /// <summary>Each peer's public key and tunnel address, as the hub must know them.</summary>
    public IEnumerable<(PublicKey Key, IPAddress Address)> Members => _peers.Select(p => (p.Key.PublicKey, p.TunnelAddress));

    /// <summary>The [[peers]] entries a hub needs for this swarm (public keys and virtual IPs), as TOML.</summary>
    public string HubPeers()
    {
        var text = new StringBuilder();
        foreach (SwarmPeer peer in _peers)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n[[peers]]\npublic_key = \"{peer.Key.PublicKey}\"\nvip = \"{peer.TunnelAddress}\"\n");
        }

        return text.ToString();
    }

    /// <summary>Starts receiving and asks every peer to connect; then ticks and echoes until <paramref name="stop"/>.</summary>
    public void Run(CancellationToken stop)
    {
        foreach (SwarmPeer peer in _peers)
        {
            _receivers.Add(Task.Run(peer.ReceiveAsync, CancellationToken.None));
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        long echoed = 0;
        while (!stop.IsCancellationRequested)
        {
            foreach (SwarmPeer peer in _peers)
            {
                peer.Tick();
            }

            // Echoes spread over the interval: peer i's turn comes at i/N of it.
            if (EchoInterval > TimeSpan.Zero)
            {
                long due = (long)(clock.Elapsed / EchoInterval * _peers.Count);
                for (; echoed < due; echoed++)
                {
                    _peers[(int)(echoed % _peers.Count)].Echo();
                }
            }
            else
            {
                echoed = (long)(clock.Elapsed / TimeSpan.FromSeconds(1) * _peers.Count);
            }

            stop.WaitHandle.WaitOne(TickInterval);
        }
    }

    public void Dispose()
    {
        foreach (SwarmPeer peer in _peers)
        {
            peer.Dispose();
        }

        Task.WaitAll([.. _receivers], TimeSpan.FromSeconds(5));
    }

    private static IPAddress Offset(IPAddress first, int i)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, BinaryPrimitives.ReadUInt32BigEndian(first.GetAddressBytes()) + (uint)i);
        return new IPAddress(bytes);
    }
}
