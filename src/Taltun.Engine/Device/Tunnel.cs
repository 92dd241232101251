using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Foundation;
using Taltun.Interop;
using Taltun.Netlink;
using Taltun.Protocol;
using Taltun.Transport;
using Taltun.Tun;

namespace Taltun.Device;

/// <summary>
/// A running tunnel: a TUN interface, its addresses and routes, a SO_REUSEPORT group of UDP
/// sockets, and the threads that move packets between them through the protocol core.
///
/// Threads (all dedicated, named "taltun/NAME/…"): one <see cref="PacketLoop"/> per UDP socket and
/// TUN queue pair, which receives and decrypts (<see cref="InboundPath"/>) and reads and encrypts
/// (<see cref="OutboundPath"/>) on one thread, one handshake thread per core for
/// received handshake messages (<see cref="HandshakeWorkers"/>), and one control thread for
/// timers and our own initiations (<see cref="ControlLoop"/>).
///
/// Life cycle: <see cref="Start"/> either returns a running tunnel or throws having undone every
/// change; <see cref="Stop"/> (or Dispose) wakes and joins every thread, removes the routes and
/// addresses it added, and closes every descriptor, which deletes the interface. Stop is idempotent.
/// The system objects belong to the network namespace of the thread that called Start.
/// As wg-quick does, Start runs the PreUp hooks before creating the interface, applies the DNS
/// settings once addresses and routes are in place and the PostUp hooks last; Stop runs PreDown
/// first, puts the DNS settings back before the interface goes, and runs PostDown last
/// (<see cref="HookRunner"/>, <see cref="DnsConfiguration"/>).
///
/// Thread-safe: peers may be added and removed, and status read, from any thread while traffic flows.
/// </summary>
public sealed partial class Tunnel : IDisposable
{
    private readonly TunnelOptions _options;
    private readonly ProtocolCore _core;
    private readonly RouteNetlink _netlink;
    private readonly TunDevice _tun;
    private readonly UdpSocket[] _sockets;
    private readonly NetworkSetup _setup;
    private readonly ShutdownSignal _shutdown;
    private readonly PeerScheduler _scheduler = new();
    private readonly HandshakeQueue _handshakeQueue;
    private readonly HandshakeWorkers _handshakeWorkers;
    private readonly ControlLoop _control;
    private readonly CancellationTokenSource _stopping = new();
    private readonly PacketLoop[] _loops;
    private readonly List<Thread> _threads = [];
    private readonly Lock _lifecycle = new();
    private readonly Lock _peerChanges = new();
    private readonly RunningConfiguration _running;
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _namespace;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stoppedSource = new();
    private bool _stopped;
    private HookRunner? _hooks;
    private DnsConfiguration? _dns;

    /// <summary>Set once the PostUp hooks have run: only a tunnel that came up runs its down hooks.</summary>
    private bool _up;

    private Tunnel(TunnelOptions options, TimeProvider time, RouteNetlink netlink, TunDevice tun, UdpSocket[] sockets, NetworkSetup setup, ShutdownSignal shutdown, TunnelLog log)
    {
        // The peers live on in the protocol core and the running configuration; a copy of each
        // here would be a tenth of what an idle peer costs.
        _options = options with { Peers = [] };
        _time = time;
        _netlink = netlink;
        _tun = tun;
        _sockets = sockets;
        _setup = setup;
        _shutdown = shutdown;
        Log = log;
        _core = new ProtocolCore(options.PrivateKey, time, options.Mtu, _scheduler);
        _handshakeQueue = new HandshakeQueue(time);
        _handshakeWorkers = new HandshakeWorkers(_core, _handshakeQueue, log);
        _control = new ControlLoop(_core, _scheduler, sockets[0], log);
        var local = new LocalAddresses(options.Addresses);
        int queues = tun.Queues.Count;
        _loops = [.. Enumerable.Range(0, Math.Max(queues, sockets.Length)).Select(i => new PacketLoop(
            i < sockets.Length ? new InboundPath(_core, tun, i % queues, sockets[i], _handshakeQueue, local, log, options.ClampMss, options.Relay) : null,
            i < queues ? new OutboundPath(_core, tun, i, sockets[i % sockets.Length], log, options.ClampMss) : null,
            shutdown,
            options.KeepWarm))];
        _running = new RunningConfiguration(options.Configuration ?? Describe(options));
        Started = time.GetUtcNow();
        NetworkNamespaceId = NetworkNamespaceThread.CurrentId();
        _namespace = NetworkNamespaceThread.Current();
    }

    public string InterfaceName => _tun.Name;

    public PublicKey PublicKey => _core.PublicKey;

    /// <summary>The UDP port actually bound (the configured one, or the kernel's pick for port 0).</summary>
    public int ListenPort => _sockets[0].Port;

    public DateTimeOffset Started { get; }

    /// <summary>The identity of the network namespace the tunnel runs in (see <see cref="NetworkNamespaceThread.CurrentId"/>).</summary>
    public ulong NetworkNamespaceId { get; }

    public TunnelLog Log { get; }

    /// <summary>Cancelled once the tunnel has stopped, whoever stopped it.</summary>
    public CancellationToken Stopped => _stoppedSource.Token;

    /// <summary>
    /// Creates and configures the interface, binds the sockets, adds the peers and starts the
    /// threads. Throws <see cref="TunnelException"/> naming the cause, after undoing whatever had
    /// been done; invalid options touch nothing.
    /// </summary>
    /// <remarks>
    /// <paramref name="whenRunning"/> is called once traffic flows and before the PostUp hooks,
    /// which may need what it sets up (a hook running wg needs the control socket); if it throws,
    /// the start is undone.
    /// </remarks>
    public static Tunnel Start(TunnelOptions options, TimeProvider? time = null, Action<Tunnel>? whenRunning = null)
    {
        options.Validate();
        time ??= TimeProvider.System;
        return options.NetworkNamespace is { } name
            ? NetworkNamespaceThread.Run(name, () => StartHere(options, time, whenRunning))
            : StartHere(options, time, whenRunning);
    }

    private static Tunnel StartHere(TunnelOptions options, TimeProvider time, Action<Tunnel>? whenRunning)
    {
        var log = new TunnelLog(time);
        foreach (string warning in options.Warnings)
        {
            log.Warning(warning);
        }

        DnsConfiguration? dns = DnsConfiguration.Plan(options, new DnsSystem(), log);
        var hooks = new HookRunner(options.Hooks, options.InterfaceName, null, log);
        var cleanup = new Stack<IDisposable>();
        NetworkSetup? setup = null;
        try
        {
            var shutdown = new ShutdownSignal();
            cleanup.Push(shutdown);
            var netlink = RouteNetlink.Open();
            cleanup.Push(netlink);
            if (netlink.LinkIndex(options.InterfaceName) != 0)
            {
                throw new TunnelException(TunnelError.InterfaceExists, $"Interface '{options.InterfaceName}' already exists. Choose another tun_name, or stop the tunnel or program that owns it.");
            }

            hooks.RunOrThrow(HookPhase.PreUp);

            var tun = TunDevice.Open(options.InterfaceName, options.TunDevicePath ?? TunDevice.DefaultPath, options.UseOffloads, options.TunQueues);
            cleanup.Push(tun);
            UdpSocket[] sockets = UdpSocket.OpenGroup(options.ListenEndPoint, options.ReceiveThreads, shutdown, options.UseOffloads);
            foreach (UdpSocket socket in sockets)
            {
                cleanup.Push(socket);
            }

            FirewallMark.Apply(sockets, options.FirewallMark);
            int index = netlink.LinkIndex(tun.Name);
            setup = new NetworkSetup(netlink, tun.Name, index, options.Addresses, log) { AddRoutes = options.AddRoutes };
            setup.Apply(
                options.Mtu,
                options.Routes,
                [.. options.Peers.SelectMany(p => p.AllowedIps)],
                options.Peers.Where(p => p.Endpoint is not null).Select(p => p.Endpoint!.Address));
            dns?.Apply();
            var tunnel = new Tunnel(options, time, netlink, tun, sockets, setup, shutdown, log)
            {
                _dns = dns,
                _hooks = new HookRunner(options.Hooks, tun.Name, options.NetworkNamespace, log),
            };
            try
            {
                // Each peer's one X25519, on every core: most of what a hub of thousands takes to start.
                var staticStatics = new byte[options.Peers.Count][];
                Parallel.For(0, staticStatics.Length, i => staticStatics[i] = tunnel._core.StaticStaticOf(options.Peers[i].PublicKey));
                for (int i = 0; i < staticStatics.Length; i++)
                {
                    // The running configuration already holds these: it was made from the options.
                    tunnel.AddPeerLocked(options.Peers[i], movePrefixes: false, staticStatics[i]);
                }

                tunnel.StartThreads();
                whenRunning?.Invoke(tunnel);
                hooks.RunOrThrow(HookPhase.PostUp);
                tunnel._up = true;
            }
            catch
            {
                tunnel.Stop();
                throw;
            }

            log.Verbose(OffloadSummary(tun, sockets[0], options.UseOffloads));
            log.Information($"Tunnel '{tun.Name}' is up: {string.Join(", ", options.Addresses)}, MTU {options.Mtu}, UDP port {tunnel.ListenPort}, {options.Peers.Count} peer(s), public key {tunnel.PublicKey}.");
            if (options.Relay is { } relay)
            {
                log.Information($"Relaying between peers: {relay}. Relayed packets never reach the host's forwarding or firewall: this policy is the hub's firewall for peer-to-peer traffic.");
            }
            return tunnel;
        }
        catch
        {
            dns?.Restore();
            setup?.Revert();
            while (cleanup.Count > 0)
            {
                cleanup.Pop().Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Stops the threads, removes what Start added, and deletes the interface. Safe to call more
    /// than once. Returns what went wrong on the way (a failing down hook: HookFailed; DNS settings
    /// that could not be put back: DnsFailed); the stop completes regardless.
    /// </summary>
    public IReadOnlyList<TunnelException> Stop()
    {
        lock (_lifecycle)
        {
            if (_stopped)
            {
                return [];
            }

            _stopped = true;
        }

        var problems = new List<TunnelException>();
        if (_up && _hooks?.Run(HookPhase.PreDown) is { } preDown)
        {
            problems.Add(new TunnelException(TunnelError.HookFailed, preDown));
        }

        _shutdown.Signal();
        _stopping.Cancel();
        foreach (Thread thread in _threads)
        {
            if (!thread.Join(Tuning.ThreadJoinTimeout))
            {
                Log.Error($"Thread {thread.Name} did not stop within {Tuning.ThreadJoinTimeout.TotalSeconds:0} s.");
            }
        }

        if (_dns?.Restore() is { } dns)
        {
            problems.Add(new TunnelException(TunnelError.DnsFailed, dns));
        }

        _setup.Revert();
        foreach (UdpSocket socket in _sockets)
        {
            socket.Dispose();
        }

        _tun.Dispose();
        _netlink.Dispose();
        foreach (PacketLoop loop in _loops)
        {
            loop.Dispose();
        }

        _handshakeQueue.Dispose();
        _scheduler.Dispose();
        _stopping.Dispose();
        _core.Dispose();
        _shutdown.Dispose();
        _namespace.Dispose();
        Log.Information($"Tunnel '{InterfaceName}' stopped; its interface, addresses and routes are removed.");
        if (_up && _hooks?.Run(HookPhase.PostDown) is { } postDown)
        {
            problems.Add(new TunnelException(TunnelError.HookFailed, postDown));
        }

        _stoppedSource.Cancel();
        return problems;
    }

    public void Dispose() => _ = Stop();

    /// <summary>A configuration for options built directly: each peer described by its allowed IPs.</summary>
    private static TunnelConfiguration Describe(TunnelOptions options) => new()
    {
        InterfaceName = options.InterfaceName,
        PrivateKey = options.PrivateKey,
        ListenEndPoint = options.ListenEndPoint,
        Addresses = options.Addresses,
        Mtu = options.Mtu,
        Routes = options.Routes,
        MssClamping = options.ClampMss,
        KeepWarm = options.KeepWarm,
        FirewallMark = options.FirewallMark,
        Peers = [.. options.Peers.Select(Describe)],
    };

    private static PeerConfiguration Describe(PeerOptions peer) => new()
    {
        PublicKey = peer.PublicKey,
        Endpoint = peer.Endpoint?.ToString(),
        AllowedIps = peer.AllowedIps,
        PersistentKeepalive = (int)peer.PersistentKeepalive.TotalSeconds,
        PresharedKey = peer.PresharedKey,
    };

    private static string OffloadSummary(TunDevice tun, UdpSocket socket, bool wanted) => !wanted
        ? "Offloads are off (UseOffloads = false)."
        : $"Offloads: TUN {tun.Offloads ?? "none (the kernel refused IFF_VNET_HDR offloads; one packet per read and write)"}; "
            + $"UDP GSO {(socket.Segmentation ? "on" : "off")}, GRO {(socket.ReceiveCoalescing ? "on" : "off")}.";

    private void StartThreads()
    {
        _sockets[0].SegmentationRefused += errno =>
            Log.Warning($"The kernel refused a segmented UDP send ({Interop.Errno.Describe(errno)}); sending one datagram per message from now on.");
        StartThread("control", () => _control.Run(_stopping.Token));
        for (int i = 0; i < Tuning.HandshakeThreads; i++)
        {
            StartThread($"handshake{i}", () => _handshakeWorkers.Run(_stopping.Token));
        }

        for (int i = 0; i < _loops.Length; i++)
        {
            PacketLoop loop = _loops[i];
            StartThread($"packets{i}", loop.Run);
        }
    }

    private void StartThread(string role, Action body)
    {
        var thread = new Thread(() => RunGuarded(role, body))
        {
            Name = $"taltun/{InterfaceName}/{role}",
            IsBackground = true,
        };
        _threads.Add(thread);
        thread.Start();
    }

    private void RunGuarded(string role, Action body)
    {
        // A loop that throws would silently stop the tunnel's traffic: say so, loudly, once.
        try
        {
            body();
        }
        catch (Exception e) when (!_shutdown.IsSignalled)
        {
            Log.Error($"The {role} thread of '{InterfaceName}' failed and stopped: {e.GetType().Name}: {e.Message}");
        }
    }
}
