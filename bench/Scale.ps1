# The hub-scale figures of one peer count, measured through the module as a user drives it, in
# one pwsh process inside a namespace bench/scale-bench.sh made: peers added through one
# pipeline, one more added and removed one call at a time, status of every peer, save, stop,
# restart from the saved file, and memory per configured peer. Prints one line of key=value.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [int] $Count,
    [Parameter(Mandatory)] [string] $Directory
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

function Rss { [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect(); [long]((Get-Content /proc/self/status | Select-String '^VmRSS:').Line -replace '\D', '') * 1KB }
function Time([scriptblock] $Work) { $clock = [Diagnostics.Stopwatch]::StartNew(); & $Work | Out-Null; $clock.Elapsed.TotalSeconds }
function Address([int] $Index) { $n = 0x0A400000 + 2 + $Index; '{0}.{1}.{2}.{3}' -f ($n -shr 24), (($n -shr 16) -band 255), (($n -shr 8) -band 255), ($n -band 255) }

$hubKey = New-TaltunKey
$peers = New-TaltunKey -Count ($Count + 100) | ForEach-Object -Begin { $i = 0 } -Process {
    [pscustomobject]@{ PublicKey = $_.PublicKey; VirtualIP = Address $i }; $i++ }
$extra = $peers[$Count..($Count + 99)]
$peers = $peers[0..($Count - 1)]

$config = Join-Path $Directory "scale-$Count.toml"
Start-TaltunTunnel -Mode Server -PrivateKey $hubKey.PrivateKey -VirtualIP 10.64.0.1/10 -LocalAddress 0.0.0.0:9000 -TunName sbh | Out-Null
$rss0 = Rss
$add = Time { $peers | Add-TaltunPeer -Tunnel sbh }
$rss1 = Rss

# One call per peer at this size: the marginal cost a provisioning script pays.
$single = foreach ($p in $extra) { Time { Add-TaltunPeer -Tunnel sbh -PublicKey $p.PublicKey -VirtualIP $p.VirtualIP } }
$remove = foreach ($p in $extra) { Time { Remove-TaltunPeer -Tunnel sbh -PublicKey $p.PublicKey -Confirm:$false } }
$median = { param($values) ($values | Sort-Object)[[int]($values.Count / 2)] }

$status = Time { Get-TaltunStatus -Name sbh -Peer }
$listed = @(Get-TaltunStatus -Name sbh -Peer).Count
$save = Time { Save-TaltunConfig -Name sbh -Path $config -Force }
$stop = Time { Stop-TaltunTunnel -Name sbh -Confirm:$false }
$start = Time { Start-TaltunTunnel -ConfigPath $config }
$restarted = @(Get-TaltunStatus -Name sbh -Peer).Count
Stop-TaltunTunnel -Name sbh -Confirm:$false

$culture = [Globalization.CultureInfo]::InvariantCulture
'peers={0} listed={1} restarted={2} add_all_s={3} add_each_ms={4} add_one_ms={5} remove_one_ms={6} status_s={7} save_s={8} stop_s={9} start_s={10} rss_per_peer_kb={11}' -f `
    $Count, $listed, $restarted, $add.ToString('F2', $culture), ($add * 1000 / $Count).ToString('F3', $culture),
    ((& $median $single) * 1000).ToString('F3', $culture), ((& $median $remove) * 1000).ToString('F3', $culture),
    $status.ToString('F2', $culture), $save.ToString('F2', $culture), $stop.ToString('F2', $culture), $start.ToString('F2', $culture),
    (($rss1 - $rss0) / $Count / 1KB).ToString('F2', $culture)
