@{
    Synopsis    = 'Starts a Taltun tunnel from a TOML or wg-quick file and/or parameters; it runs in the background of this PowerShell process.'
    Description = @'
Start-TaltunTunnel creates the TUN interface, gives it its virtual IP, MTU and routes over netlink, binds the UDP port (one SO_REUSEPORT socket per core) and starts the data plane. It returns a TaltunTunnel object at once; the tunnel keeps running in this pwsh process and every runspace of it (ThreadJobs included) sees it in Get-TaltunStatus. Stop-TaltunTunnel, Remove-Module Taltun or leaving pwsh stops it and removes everything it added.

The configuration comes from -ConfigPath, from parameters, or both: a parameter overrides the file's value. -Peer replaces the file's peers. The file is Taltun's TOML ([interface] with mode, tun_name, vip, local_addr, private_key or private_key_file, mtu, routes, mss_clamping, keep_warm, relay, dns, table, pre_up, post_up, pre_down, post_down, fwmark, save_config; [[peers]] with public_key, vip, endpoint, allowed_ips, persistent_keepalive, preshared_key) or a wg-quick file ([Interface] with PrivateKey, Address, ListenPort, MTU, DNS, Table, PreUp, PostUp, PreDown, PostDown, SaveConfig, FwMark; [Peer] with PublicKey, PresharedKey, AllowedIPs, Endpoint, PersistentKeepalive), told apart by content, not by name. A wg-quick file names the tunnel after itself (wg0.conf is wg0) and starts in mode Peer: plain WireGuard, each peer with exactly its AllowedIPs, nothing relayed inside Taltun, and an AllowedIPs of 0.0.0.0/0 routing everything (as 0.0.0.0/1 and 128.0.0.0/1, so the LAN's own routes still win, as with wg-quick). Anything Taltun cannot honour (Table = 1234, say) is an error naming the line; nothing is skipped.

Mode Server (the hub) listens, lets each peer use its virtual IP and allowed IPs, and relays spoke-to-spoke traffic itself (no ip_forward needed). Mode Client (a spoke) treats its first peer with an endpoint as its hub: the hub also carries the whole VPN subnet and every route, and is kept alive every 25 seconds so the spoke is reachable. Mode Peer is plain WireGuard, as wg-quick runs it.

DNS settings (dns, wg-quick's DNS, or -Dns) apply while the tunnel runs: through systemd-resolved where it runs, else resolvconf; for a tunnel in a network namespace, as /etc/netns/NAME/resolv.conf (what ip netns exec shows as /etc/resolv.conf). They are put back exactly when the tunnel stops, and, if the process dies, when the next tunnel starts. Hooks run as wg-quick runs them, by bash with %i replaced by the interface name, in the tunnel's namespace, their output going to the log: PreUp before the interface exists, PostUp once the tunnel is up; either failing undoes the start (HookFailed). A file with hooks, and every file a hook names by absolute path (its program, a script), must be changeable by root (or you) only.

A bad file or parameter fails with ErrorId InvalidConfiguration before anything on the system changes; the message names the file, line and key (or the parameter) and the fix. Failures of the system name their cause: PermissionDenied (not root, no CAP_NET_ADMIN), TunUnavailable, InterfaceExists, PortInUse, AddressUnavailable, NetlinkFailed, HookFailed, DnsFailed. Whatever was done before a failure is undone. A configuration file that holds a private key and is readable by group or others draws a warning, as wg-quick does.

With -Wait the cmdlet stays in the foreground, as a service runs, and returns no object. It writes the tunnel's log as Write-Host writes, one plain line per event with its level and no colour: '[12:00:01] INFO Tunnel 'hub' is up: ...' (VERBOSE lines only with -Verbose; the lines are also Information records tagged Taltun, the tunnel's name and the level). When standard output is systemd's journal ($JOURNAL_STREAM) a line starts with its syslog priority instead of the time, '<6>INFO Tunnel 'hub' is up: ...', so journalctl -p warning finds the warnings. SIGTERM and Ctrl+C (SIGINT) alike stop the tunnel gracefully: the last line says it stopped and the cmdlet returns, so pwsh -Command exits 0. SIGHUP (systemctl reload) reloads the configuration file as Sync-TaltunConfig does: changed peers change, unchanged ones keep their sessions, and an invalid file is an ERROR line that changes nothing. Under a service manager that set $NOTIFY_SOCKET (systemd's Type=notify) it sends READY=1 once the tunnel is up and STOPPING=1 as it stops. packaging/systemd/taltun@.service runs it so.

Every tunnel serves /var/run/wireguard/NAME.sock (mode 0600) while it runs: WireGuard's wg works on it (wg show, wg set, wg syncconf), and so does every Taltun cmdlet from any other process. A name that another live process already serves — in this network namespace or another, Taltun's or wireguard-go's — is a ControlSocket error before anything changes; a socket a dead process left is replaced.
'@
    Parameters  = @{
        ConfigPath       = 'A configuration file: Taltun TOML or wg-quick, told apart by content. A wg-quick file names the tunnel (wg0.conf is wg0). Relative private_key_file paths are relative to it. Save-TaltunConfig writes back here, in the same format.'
        Mode             = 'Server (hub), Client (spoke) or Peer (plain WireGuard, as wg-quick). Overrides mode in the file; the default is Server, and Peer for a wg-quick file.'
        LocalAddress     = 'The UDP address:port to listen on, e.g. 0.0.0.0:9000 (the default) or [::]:9000. 0.0.0.0 also accepts IPv6 peers.'
        PrivateKey       = 'The tunnel''s private key as 44 base64 characters or 64 hex digits. For services prefer private_key_file in a 0600 file. Never shown in any output.'
        PrivateKeyPath   = 'A file holding the tunnel''s private key (base64 or hex, as wg genkey writes it), like private_key_file in a configuration. Keep it mode 0600: a file others can read draws a warning.'
        VirtualIP        = 'The tunnel''s own address(es) with optional prefix: 10.0.0.1 means 10.0.0.1/24. Add an IPv6 one (fd00::1/64) for IPv6 inside the tunnel.'
        Peer             = 'Peers, each a hashtable @{ PublicKey = ''...''; VirtualIP = ''10.0.0.2''; Endpoint = ''host:9000''; AllowedIPs = @(''192.168.1.0/24''); PersistentKeepalive = 25; PresharedKey = ''...'' } or a string ''PUBLICKEY,VIRTUALIP[,HOST:PORT]''. Replaces the file''s peers.'
        Name             = 'The tunnel''s name, which is its interface name (tun_name, or a wg-quick file''s name), at most 15 characters; default tun0. Aliases -Tunnel, -TunName, -InterfaceName. It names the tunnel in every Taltun cmdlet and must be unique in this process.'
        Dns              = 'Name servers and search domains for the host while the tunnel runs, e.g. 10.0.0.1, corp.example (an IP address is a server, anything else a search domain). Replaces the file''s dns or DNS; an empty list removes them.'
        Mtu              = 'The interface MTU, 1280 to 9000; default 1420, which fits a 1500-byte path with the 80 bytes of IPv6, UDP and WireGuard overhead.'
        Route            = 'Networks routed through the tunnel, e.g. 192.168.50.0/24. For a full tunnel use 0.0.0.0/1 and 128.0.0.0/1: together they cover everything yet lose to the more specific LAN routes, so local access (SSH) keeps working.'
        NetworkNamespace = 'Create the interface and sockets inside this network namespace (from ip netns add) while the tunnel is driven from this process, as ip netns exec would do for a whole process.'
        Wait             = 'Stay in the foreground writing the log, one plain line per event, until SIGTERM or Ctrl+C stops the tunnel gracefully; SIGHUP reloads the file; tell systemd when it is up. Returns no object.'
        KeepWarm         = 'Trade some CPU for the latency of sparse traffic (the file''s keep_warm): until a second after its last packet, the packet loop that carried it wakes every millisecond so the next packet finds its code in the CPU''s caches. A fifth to a third less added round-trip time for pings 10 ms apart on a 2-vCPU VM, for about 3% more of a core per tunnel end at 100 packets a second and 0.5-3% at 1,000; idle cost unchanged. -KeepWarm:$false turns off a file''s keep_warm.'
        ControlGroup     = 'A group whose members may operate the tunnel from other processes through its control socket (then mode 0660, that group''s): status, log, peers added, changed and removed, stop. They never read its keys nor reload it from files. The file''s control_group; without either, root and this process''s user only.'
    }
    Inputs      = @{
        'None' = 'Start-TaltunTunnel takes no pipeline input.'
    }
    Outputs     = @{
        'Taltun.PowerShell.TaltunTunnel' = 'The running tunnel: name, mode, virtual IP, listen port, public key, routes, peers. Nothing with -Wait.'
    }
    Examples    = @(
        @{
            Title   = 'A hub from a file'
            Code    = @'
Start-TaltunTunnel -ConfigPath /etc/taltun/hub.toml
'@
            Remarks = 'Starts the tunnel described in hub.toml and returns at once; it keeps running in this session.'
        }
        @{
            Title   = 'A spoke from parameters alone'
            Code    = @'
Start-TaltunTunnel -Mode Client -PrivateKey (Get-Content ./client.key) -VirtualIP 10.0.0.2 `
    -Peer 'HUBPUBLICKEYBASE64=,10.0.0.1,203.0.113.7:9000'
'@
            Remarks = 'Connects to the hub at 203.0.113.7:9000 and routes 10.0.0.0/24 through it.'
        }
        @{
            Title   = 'Override a file''s values'
            Code    = 'Start-TaltunTunnel ./hub.toml -Name tun1 -LocalAddress 0.0.0.0:9001 -Mtu 1380'
            Remarks = 'Uses hub.toml but another interface name, port and MTU.'
        }
        @{
            Title   = 'As a systemd service'
            Code    = @'
# taltun@.service (packaging/systemd): systemctl enable --now taltun@hub runs
# ExecStart=/usr/bin/pwsh -NoProfile -NonInteractive -Command "Import-Module Taltun; Start-TaltunTunnel -ConfigPath /etc/taltun/%i.toml -Wait"
'@
            Remarks = 'Runs in the foreground with the log in the journal (journalctl -u taltun@hub) and tells systemd when the tunnel is up; systemctl stop sends SIGTERM and the tunnel shuts down cleanly.'
        }
        @{
            Title   = 'Full tunnel without losing the LAN'
            Code    = 'Start-TaltunTunnel ./client.toml -Route 0.0.0.0/1, 128.0.0.0/1'
            Remarks = 'Sends all IPv4 traffic through the hub while more specific local routes still win.'
        }
        @{
            Title   = 'A wg-quick file, as wg-quick up would start it'
            Code    = 'Start-TaltunTunnel -ConfigPath /etc/wireguard/wg0.conf'
            Remarks = 'Starts a tunnel named wg0 with the file''s addresses, peers, DNS and hooks.'
        }
    )
    Links       = @('Stop-TaltunTunnel', 'Get-TaltunStatus', 'Add-TaltunPeer', 'Get-TaltunLog', 'Save-TaltunConfig')
}
