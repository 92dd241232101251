using System.Collections.Concurrent;
using System.Management.Automation;
using Taltun.Configuration;
using Taltun.Control;
using Taltun.Crypto;
using Taltun.Device;
using Taltun.Foundation;

namespace Taltun.PowerShell.Commands;

/// <summary>Starts a Taltun tunnel from a TOML or wg-quick file and/or parameters; it runs in the background of this PowerShell process.</summary>
[Cmdlet(VerbsLifecycle.Start, "TaltunTunnel", SupportsShouldProcess = true)]
[OutputType(typeof(TaltunTunnel))]
public sealed class StartTaltunTunnelCommand : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private bool _toJournal;
    private bool _verbose;

    /// <summary>A configuration file: Taltun TOML ([interface], [[peers]]) or wg-quick ([Interface], [Peer]; the tunnel is named after the file), told apart by content. Parameters given as well override its values.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? ConfigPath { get; set; }

    /// <summary>Server (hub: listens, relays between spokes) or Client (spoke: connects to its hub).</summary>
    [Parameter]
    public TunnelMode? Mode { get; set; }

    /// <summary>UDP address:port to listen on (the file's local_addr), e.g. 0.0.0.0:9000.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LocalAddress { get; set; }

    /// <summary>This tunnel's private key, base64 or hex. Prefer a file (private_key_file) for services.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PrivateKey { get; set; }

    /// <summary>A file holding this tunnel's private key (as wg genkey writes it), like private_key_file; keep it mode 0600.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PrivateKeyPath { get; set; }

    /// <summary>The tunnel's virtual IP(s) with optional prefix (default /24), e.g. 10.0.0.1 or 10.0.0.1/24, fd00::1/64.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? VirtualIP { get; set; }

    /// <summary>Peers: hashtables (@{ PublicKey; VirtualIP; Endpoint; AllowedIPs; PersistentKeepalive; PresharedKey }) or 'PUBLICKEY,VIP[,HOST:PORT]'. Replaces the file's peers.</summary>
    [Parameter]
    [ValidateNotNull]
    [PeerTextTransformation]
    public TaltunPeerDefinition[]? Peer { get; set; }

    /// <summary>The tunnel's name, which is its interface name (the file's tun_name, or a wg-quick file's name); it names the tunnel in every Taltun cmdlet.</summary>
    [Parameter]
    [Alias("Tunnel", "TunName", "InterfaceName")]
    [ValidatePattern(Limits.InterfaceNamePattern)]
    public string? Name { get; set; }

    /// <summary>Interface MTU (default 1420).</summary>
    [Parameter]
    [ValidateRange(Limits.MinMtu, Limits.MaxMtu)]
    public int? Mtu { get; set; }

    /// <summary>Networks routed through the tunnel, e.g. 192.168.50.0/24; a full tunnel is 0.0.0.0/1 and 128.0.0.0/1.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[]? Route { get; set; }

    /// <summary>Name servers and search domains for the host while the tunnel runs (the file's dns, wg-quick's DNS), e.g. 10.0.0.1, corp.example; replaces the file's.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[]? Dns { get; set; }

    /// <summary>A group whose members may operate the tunnel from other processes (its control socket /var/run/wireguard/NAME.sock, 0660), never read its keys; the file's control_group. Without it only root and this user may.</summary>
    [Parameter]
    [ValidatePattern(GroupName.Pattern)]
    public string? ControlGroup { get; set; }

    /// <summary>After traffic, wake the packet loops that carried it every millisecond for a second, so a packet after a short pause crosses faster (the file's keep_warm): less latency for interactive traffic, for some CPU while it flows. -KeepWarm:$false turns off a file's keep_warm.</summary>
    [Parameter]
    public SwitchParameter KeepWarm { get; set; }

    /// <summary>Create the interface and sockets in this network namespace (ip netns) instead of the process's own.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NetworkNamespace { get; set; }

    /// <summary>Stay in the foreground (for services) writing the tunnel's log, one plain line per event, until SIGTERM or Ctrl+C (SIGINT) stops it gracefully; SIGHUP reloads the configuration file as Sync-TaltunConfig does; tell systemd when it is up ($NOTIFY_SOCKET); return no object.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override void EndProcessing()
    {
        TunnelConfiguration config;
        TunnelOptions options;
        try
        {
            config = Configure();
            options = config.ToOptions() with { NetworkNamespace = NetworkNamespace };
        }
        catch (ConfigurationException e)
        {
            ThrowTerminatingError(Errors.From(e));
            return;
        }
        catch (KeyFormatException e)
        {
            ThrowTerminatingError(KeyArgument.Error(e));
            return;
        }

        if (Wait)
        {
            _toJournal = Journal.IsStandardOutput();
            _verbose = IsVerbose();
        }

        foreach (string warning in config.Warnings)
        {
            if (Wait)
            {
                WriteLine(options.InterfaceName, TunnelLogLevel.Warning, warning, DateTimeOffset.UtcNow);
            }
            else
            {
                WriteWarning(warning);
            }
        }

        if (TunnelRegistry.TryGet(options.InterfaceName, out _))
        {
            ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException($"A tunnel named '{options.InterfaceName}' already runs in this PowerShell process. Stop it first, or give -Name another name."),
                ErrorIds.TunnelAlreadyRunning, ErrorCategory.ResourceExists, options.InterfaceName));
        }

        if (!ShouldProcess($"{options.InterfaceName} ({string.Join(", ", options.Addresses)}, UDP {options.ListenEndPoint})", "Start Taltun tunnel"))
        {
            return;
        }

        var control = new ControlOptions { Group = config.ControlGroup };
        try
        {
            // Before anything changes: the name may be served already, by another process or namespace.
            ControlServer.CheckFree(options.InterfaceName, control);
        }
        catch (TunnelException e)
        {
            ThrowTerminatingError(Errors.From(e, options.InterfaceName));
            return;
        }

        // Under -Wait, SIGTERM and SIGINT mean "stop gracefully" from the moment the interface
        // exists, and SIGHUP "reload" once the tunnel is up.
        RegisteredTunnel? reloadable = null;
        using ForegroundSignals? signals = Wait ? new ForegroundSignals(_cancel.Cancel, () => reloadable?.Control.ReloadFromSource(), Host.Name) : null;
        RegisteredTunnel? started = null;
        try
        {
            // The control socket comes up with the tunnel, before its PostUp hooks (one may run
            // wg set %i), so wg and other processes reach it from then on; it closes when the tunnel stops.
            Tunnel.Start(options, whenRunning: running =>
            {
                started = new RegisteredTunnel(running, NetworkNamespace);
                started.Server = ControlServer.Start(started.Control, control);
            });
        }
        catch (TunnelException e)
        {
            ThrowTerminatingError(Errors.From(e, options.InterfaceName));
            return;
        }

        RegisteredTunnel registered = started!;
        if (!TunnelRegistry.TryAdd(registered))
        {
            registered.Stop();
            ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException($"A tunnel named '{options.InterfaceName}' was started by another runspace at the same moment."),
                ErrorIds.TunnelAlreadyRunning, ErrorCategory.ResourceExists, options.InterfaceName));
        }

        reloadable = registered;
        if (Wait)
        {
            // The log's lines are the output: a status object would only be shown once the
            // pipeline ends, after the tunnel has stopped.
            RunInForeground(registered, config.Warnings);
            return;
        }

        // The start's own warnings (a /0 allowed IP gets no route, ...); the configuration's
        // were written above.
        foreach (TunnelLogEntry warning in registered.Tunnel.Log.Entries.Where(e => e.Level == TunnelLogLevel.Warning && !config.Warnings.Contains(e.Message)))
        {
            WriteWarning(warning.Message);
        }

        WriteObject(StatusSnapshot.Of(registered.Control.Report()));
    }

    protected override void StopProcessing() => _cancel.Cancel();

    public void Dispose() => _cancel.Dispose();

    /// <summary>The file's configuration (or an empty one) with every given parameter applied over it.</summary>
    private TunnelConfiguration Configure()
    {
        TunnelConfiguration config = ConfigPath is null
            ? new TunnelConfiguration()
            : ConfigurationFile.Load(GetUnresolvedProviderPathFromPSPath(ConfigPath));
        var overrides = new ConfigurationOverrides
        {
            Mode = Mode,
            LocalAddress = LocalAddress,
            PrivateKey = PrivateKey,
            PrivateKeyPath = PrivateKeyPath is null ? null : GetUnresolvedProviderPathFromPSPath(PrivateKeyPath),
            VirtualIP = VirtualIP,
            Peers = Peer?.Select(p => p.ToText()).ToList(),
            TunName = Name,
            Mtu = Mtu,
            Routes = Route,
            Dns = Dns,
            ControlGroup = ControlGroup,
            KeepWarm = MyInvocation.BoundParameters.ContainsKey(nameof(KeepWarm)) ? KeepWarm.IsPresent : null,
        };
        return overrides.ApplyTo(config);
    }

    /// <summary>
    /// Writes the tunnel's log, one line per event, on this cmdlet's thread until SIGTERM, SIGINT
    /// (Ctrl+C) or someone else stops the tunnel, then stops it. A service manager listening on
    /// $NOTIFY_SOCKET hears READY=1 once the tunnel is up and STOPPING=1 as it stops.
    /// </summary>
    private void RunInForeground(RegisteredTunnel registered, IReadOnlyList<string> shownWarnings)
    {
        ServiceNotifier? serviceManager = ServiceNotifier.FromEnvironment();
        using var entries = new BlockingCollection<TunnelLogEntry>(boundedCapacity: 10_000);
        void Enqueue(TunnelLogEntry entry) => entries.TryAdd(entry);
        registered.Tunnel.Log.Written += Enqueue;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token, registered.Tunnel.Stopped);
        IReadOnlyList<Exception>? problems = null;
        try
        {
            // What was logged before we listened (the tunnel coming up) first, then what follows.
            var earlier = new HashSet<TunnelLogEntry>(registered.Tunnel.Log.Entries, ReferenceEqualityComparer.Instance);
            foreach (TunnelLogEntry entry in earlier.Where(e => !(e.Level == TunnelLogLevel.Warning && shownWarnings.Contains(e.Message))))
            {
                Write(entry, registered.Name);
            }

            Notify(serviceManager, registered.Name, $"READY=1\nSTATUS={UpStatus(registered)}");
            while (true)
            {
                TunnelLogEntry entry = entries.Take(either.Token);
                if (!earlier.Contains(entry))
                {
                    Write(entry, registered.Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // SIGTERM, SIGINT, the pipeline stopped, or Stop-TaltunTunnel from elsewhere.
        }
        finally
        {
            Notify(serviceManager, registered.Name, $"STOPPING=1\nSTATUS=Stopping tunnel '{registered.Name}'");
            problems = TunnelRegistry.Stop(registered.Name);
            registered.Tunnel.Log.Written -= Enqueue;

            // Stopped over the control socket (Stop-TaltunTunnel from elsewhere): its reply goes out before this process ends.
            registered.Server?.WaitIdle(TimeSpan.FromSeconds(5));
        }

        while (entries.TryTake(out TunnelLogEntry? entry))
        {
            Write(entry, registered.Name);
        }

        // What the stop reports and the log did not already say (a configuration that could not be saved).
        foreach (Exception problem in problems ?? [])
        {
            string message = problem.Message;
            if (!registered.Tunnel.Log.Entries.Any(e => e.Level == TunnelLogLevel.Error && e.Message == message))
            {
                WriteLine(registered.Name, TunnelLogLevel.Error, message, DateTimeOffset.UtcNow);
            }
        }
    }

    private static string UpStatus(RegisteredTunnel registered)
    {
        TunnelStatus status = registered.Tunnel.GetStatus();
        return $"Tunnel '{status.InterfaceName}' is up: {string.Join(", ", status.Addresses)}, UDP port {status.ListenPort}, {status.Peers.Count} peer(s)";
    }

    /// <summary>Tells the service manager, if one listens; a failure only shows among the verbose lines.</summary>
    private void Notify(ServiceNotifier? serviceManager, string tunnel, string state)
    {
        if (serviceManager is not null && !serviceManager.TryNotify(state, out string? problem))
        {
            WriteLine(tunnel, TunnelLogLevel.Verbose, $"Telling the service manager failed: {problem}.", DateTimeOffset.UtcNow);
        }
    }

    private void Write(TunnelLogEntry entry, string tunnel) => WriteLine(tunnel, entry.Level, entry.Message, entry.Time);

    /// <summary>
    /// One line of the foreground log (<see cref="JournalLine"/>), written as Write-Host writes:
    /// shown whatever -InformationAction says, uncoloured, and still a record of the Information
    /// stream, tagged Taltun, the tunnel's name and the level, for whoever captures it. Verbose
    /// lines only with -Verbose; nothing once the pipeline is stopping, since it could not be written.
    /// </summary>
    private void WriteLine(string tunnel, TunnelLogLevel level, string message, DateTimeOffset time)
    {
        if (Stopping || (level == TunnelLogLevel.Verbose && !_verbose))
        {
            return;
        }

        var line = new HostInformationMessage { Message = JournalLine.Format(level, message, time, _toJournal) };
        var record = new InformationRecord(line, MyInvocation.MyCommand.Name);
        record.Tags.AddRange(["PSHOST", "Taltun", tunnel, level.ToString()]);
        WriteInformation(record);
    }

    private bool IsVerbose() => MyInvocation.BoundParameters.TryGetValue("Verbose", out object? verbose)
        ? ((SwitchParameter)verbose).IsPresent
        : GetVariableValue("VerbosePreference") is ActionPreference preference and not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);
}
