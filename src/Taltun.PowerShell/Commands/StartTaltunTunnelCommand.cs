using System.Collections.Concurrent;
using System.Management.Automation;
using System.Runtime.InteropServices;
using Taltun.Configuration;
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

    /// <summary>Create the interface and sockets in this network namespace (ip netns) instead of the process's own.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NetworkNamespace { get; set; }

    /// <summary>Stay in the foreground and write the tunnel's log to the Information, Verbose, Warning and Error streams until Ctrl+C or SIGTERM, then stop gracefully (for services).</summary>
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

        foreach (string warning in config.Warnings)
        {
            WriteWarning(warning);
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

        // Under -Wait, SIGTERM means "stop gracefully" from the moment the interface exists.
        using PosixSignalRegistration? terminate = Wait ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminate) : null;
        Tunnel tunnel;
        try
        {
            tunnel = Tunnel.Start(options);
        }
        catch (TunnelException e)
        {
            ThrowTerminatingError(Errors.From(e, options.InterfaceName));
            return;
        }

        var registered = new RegisteredTunnel(tunnel, NetworkNamespace);
        if (!TunnelRegistry.TryAdd(registered))
        {
            tunnel.Stop();
            ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException($"A tunnel named '{options.InterfaceName}' was started by another runspace at the same moment."),
                ErrorIds.TunnelAlreadyRunning, ErrorCategory.ResourceExists, options.InterfaceName));
        }

        if (!Wait)
        {
            // The start's own warnings (a /0 allowed IP gets no route, ...); the configuration's
            // were written above. Under -Wait the foreground loop writes them with the rest of the log.
            foreach (TunnelLogEntry warning in tunnel.Log.Entries.Where(e => e.Level == TunnelLogLevel.Warning && !config.Warnings.Contains(e.Message)))
            {
                WriteWarning(warning.Message);
            }
        }

        WriteObject(StatusSnapshot.Of(registered));
        if (Wait)
        {
            RunInForeground(registered, config.Warnings);
        }
    }

    protected override void StopProcessing() => _cancel.Cancel();

    public void Dispose() => _cancel.Dispose();

    private void OnTerminate(PosixSignalContext context)
    {
        // Graceful: stop the tunnel and return, rather than let the runtime end the process.
        context.Cancel = true;
        _cancel.Cancel();
    }

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
        };
        return overrides.ApplyTo(config);
    }

    /// <summary>Streams the tunnel's log on this cmdlet's thread until Ctrl+C, SIGTERM, or someone else stops the tunnel.</summary>
    private void RunInForeground(RegisteredTunnel registered, IReadOnlyList<string> shownWarnings)
    {
        using var entries = new BlockingCollection<TunnelLogEntry>(boundedCapacity: 10_000);
        void Enqueue(TunnelLogEntry entry) => entries.TryAdd(entry);
        registered.Tunnel.Log.Written += Enqueue;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token, registered.Tunnel.Stopped);
        try
        {
            // What was logged before we listened (the tunnel coming up) first, then what follows.
            var earlier = new HashSet<TunnelLogEntry>(registered.Tunnel.Log.Entries, ReferenceEqualityComparer.Instance);
            foreach (TunnelLogEntry entry in earlier.Where(e => !(e.Level == TunnelLogLevel.Warning && shownWarnings.Contains(e.Message))))
            {
                Write(entry, registered.Name);
            }

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
            // Ctrl+C, SIGTERM, or Stop-TaltunTunnel from elsewhere.
        }
        finally
        {
            TunnelRegistry.Stop(registered.Name);
            registered.Tunnel.Log.Written -= Enqueue;
        }

        if (!Stopping)
        {
            while (entries.TryTake(out TunnelLogEntry? entry))
            {
                Write(entry, registered.Name);
            }
        }
    }

    private void Write(TunnelLogEntry entry, string tunnel)
    {
        string message = $"[{entry.Time.LocalDateTime:HH:mm:ss}] {entry.Message}";
        switch (entry.Level)
        {
            case TunnelLogLevel.Verbose:
                WriteVerbose(message);
                break;
            case TunnelLogLevel.Information:
                WriteInformation(message, ["Taltun", tunnel]);
                break;
            case TunnelLogLevel.Warning:
                WriteWarning(message);
                break;
            default:
                WriteError(new ErrorRecord(new InvalidOperationException(entry.Message), ErrorIds.TunnelFailed, ErrorCategory.NotSpecified, tunnel));
                break;
        }
    }
}
