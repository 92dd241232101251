<#
.SYNOPSIS
Taltun's main job on this one machine: a hub and a client, each in its own network namespace
joined by a veth, started from TOML files with fresh keys; the client pings the hub's virtual IP
and streams TCP with iperf3; the status is printed; everything is torn down. Exits 0 only if
traffic went through the tunnel.
#>
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../out/Taltun/Taltun.psd1')

$hubNs = "taltun-demo-hub-$PID"
$clientNs = "taltun-demo-client-$PID"
$work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "taltun-demo-$PID")
$iperfServer = $null

function Invoke-Native {
    $output = & $args[0] $args[1..($args.Count - 1)] 2>&1
    if ($LASTEXITCODE -ne 0) { throw "'$($args -join ' ')' failed: $output" }
    $output
}

try {
    Write-Host "== Two hosts: namespaces $hubNs (10.96.0.1) and $clientNs (10.96.0.2), joined by a veth"
    foreach ($ns in $hubNs, $clientNs) {
        Invoke-Native ip netns add $ns | Out-Null
        Invoke-Native ip -n $ns link set lo up | Out-Null
    }
    Invoke-Native ip link add tdemo-h netns $hubNs type veth peer name tdemo-c netns $clientNs | Out-Null
    Invoke-Native ip -n $hubNs address add 10.96.0.1/24 dev tdemo-h | Out-Null
    Invoke-Native ip -n $clientNs address add 10.96.0.2/24 dev tdemo-c | Out-Null
    Invoke-Native ip -n $hubNs link set tdemo-h up | Out-Null
    Invoke-Native ip -n $clientNs link set tdemo-c up | Out-Null

    Write-Host '== Fresh keys, and the hub''s config file'
    $hubKey = New-TaltunKey
    $clientKey = New-TaltunKey
    $hubConfig = Join-Path $work 'hub.toml'
    @"
[interface]
mode = "server"
tun_name = "taltun-hub"
vip = "10.0.0.1/24"
local_addr = "0.0.0.0:9000"
private_key = "$($hubKey.PrivateKey)"
"@ | Set-Content -Path $hubConfig
    chmod 600 $hubConfig
    Get-Content $hubConfig | Where-Object { $_ -notmatch 'private_key' } | Out-Host

    Write-Host '== The hub starts from hub.toml; the client is added live and its config exported'
    Start-TaltunTunnel -ConfigPath $hubConfig -NetworkNamespace $hubNs | Out-Host
    $clientKey | Add-TaltunPeer -Name taltun-hub -VirtualIP 10.0.0.2
    $clientConfig = $clientKey | New-TaltunClientConfig -Name taltun-hub -VirtualIP 10.0.0.2 -Endpoint 10.96.0.1:9000 -TunName taltun-client -Path (Join-Path $work 'client.toml')
    Get-Content $clientConfig | Where-Object { $_ -notmatch 'private_key' } | Out-Host

    Write-Host '== The client starts from client.toml'
    Start-TaltunTunnel -ConfigPath $clientConfig -NetworkNamespace $clientNs | Out-Host

    Write-Host '== ping 10.0.0.1 (the hub''s virtual IP) from the client'
    & ip netns exec $clientNs ping -c 4 -i 0.2 10.0.0.1 | Out-Host
    $pinged = $LASTEXITCODE -eq 0

    Write-Host '== iperf3, client → hub through the tunnel, 3 seconds'
    $iperfServer = Start-Process ip -ArgumentList 'netns', 'exec', $hubNs, 'iperf3', '-s', '-1', '-B', '10.0.0.1' -PassThru -RedirectStandardOutput (Join-Path $work 'iperf-server.txt')
    Start-Sleep -Milliseconds 500
    $report = & ip netns exec $clientNs iperf3 -c 10.0.0.1 -t 3 -J | ConvertFrom-Json
    $bitsPerSecond = $report.end.sum_received.bits_per_second
    Write-Host ("   {0:N2} Gbit/s received by the hub" -f ($bitsPerSecond / 1e9))

    Write-Host '== Get-TaltunStatus'
    Get-TaltunStatus taltun-hub, taltun-client | Out-Host
    Get-TaltunStatus taltun-hub, taltun-client -Peer | Out-Host
    Write-Host '== WireGuard''s own wg sees them too, through their control sockets: wg show taltun-hub'
    & wg show taltun-hub | Out-Host
    Write-Host '== Get-TaltunLog'
    Get-TaltunLog taltun-hub, taltun-client | Sort-Object Time | Out-Host

    $ok = $pinged -and $bitsPerSecond -gt 0
}
finally {
    Write-Host '== Tear-down: Stop-TaltunTunnel removes interfaces, addresses and routes; then the namespaces go'
    Stop-TaltunTunnel -All
    if ($iperfServer -and -not $iperfServer.HasExited) { $iperfServer.Kill() }
    foreach ($ns in $hubNs, $clientNs) { & ip netns delete $ns 2>$null }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}

if ($ok) {
    Write-Host '== Demo passed: traffic went through the tunnel.'
    exit 0
}
Write-Host '== Demo FAILED: no traffic went through the tunnel.'
exit 1
