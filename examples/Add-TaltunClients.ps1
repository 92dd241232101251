<#
.SYNOPSIS
    Provisions clients on a running Taltun hub: a key pair per client, the peer added live, and a
    ready-to-run client configuration file.

.DESCRIPTION
    For each new client this script takes the next free address of the hub's VPN subnet, makes a
    key pair (New-TaltunKey), adds the client to the running hub without a restart
    (Add-TaltunPeer) and writes <OutputDirectory>/<prefix><address>.toml (New-TaltunClientConfig,
    mode 0600) holding the client's private key and the hub as its peer. With -Save the hub's
    configuration file is rewritten with the new peers (Save-TaltunConfig), so they survive a
    restart of the hub. It outputs one object per client: VirtualIP, PublicKey, ConfigPath.

.EXAMPLE
    ./examples/Add-TaltunClients.ps1 -Name tun0 -Count 50 -Endpoint vpn.example.com:9000 -Save

    Adds fifty clients to tun0 and writes ./clients/client-10.0.0.2.toml and so on; copy each file
    to its client and run Start-TaltunTunnel -ConfigPath <file> there.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    # The hub's running tunnel.
    [Parameter(Mandatory)]
    [Alias('Tunnel')]
    [string] $Name,

    # How many clients to add.
    [Parameter(Mandatory)]
    [ValidateRange(1, 65000)]
    [int] $Count,

    # The hub's address as the clients reach it, host:port.
    [Parameter(Mandatory)]
    [string] $Endpoint,

    # Where the client files go; created with mode 0700 if missing, since they hold private keys.
    [string] $OutputDirectory = './clients',

    # Networks the clients route through the hub besides the VPN subnet.
    [string[]] $Route = @(),

    # Save the hub's configuration (with its new peers) to the file it was started from.
    [switch] $Save
)

$ErrorActionPreference = 'Stop'
$hub = Get-TaltunStatus -Name $Name
$hubAddress, $prefixLength = $hub.VirtualIP[0] -split '/'
$subnet = [System.Net.IPNetwork]::new([ipaddress]$hubAddress, [int]$prefixLength).BaseAddress
if ($subnet.AddressFamily -ne 'InterNetwork') { throw "The hub's first virtual IP $($hub.VirtualIP[0]) is not IPv4; this script hands out IPv4 addresses." }

# Addresses as numbers: the subnet's hosts, minus the hub's and every existing peer's.
function ConvertTo-Number([ipaddress] $address) {
    $bytes = $address.GetAddressBytes(); [array]::Reverse($bytes); [BitConverter]::ToUInt32($bytes, 0)
}
function ConvertTo-Address([uint32] $number) {
    $bytes = [BitConverter]::GetBytes($number); [array]::Reverse($bytes); [ipaddress]::new($bytes)
}
$taken = [System.Collections.Generic.HashSet[string]]::new([string[]] (@($hubAddress) + @($hub.Peers.VirtualIP | Where-Object { $_ })))
$first = (ConvertTo-Number $subnet) + 1
$last = (ConvertTo-Number $subnet) + [math]::Pow(2, 32 - [int]$prefixLength) - 2

$candidate = $first
for ($added = 0; $added -lt $Count; $added++) {
    while ($candidate -le $last -and $taken.Contains((ConvertTo-Address $candidate).ToString())) { $candidate++ }
    if ($candidate -gt $last) { throw "The hub's subnet $subnet/$prefixLength has no free address left after $added new clients." }
    $address = (ConvertTo-Address $candidate).ToString()
    [void] $taken.Add($address)

    $path = Join-Path $OutputDirectory "client-$address.toml"
    if (-not $PSCmdlet.ShouldProcess($Name, "Add client $address and write $path")) { continue }
    $key = New-TaltunKey
    $key | Add-TaltunPeer -Name $Name -VirtualIP $address
    $file = $key | New-TaltunClientConfig -Name $Name -VirtualIP $address -Endpoint $Endpoint -Route $Route -Path $path -Force
    [pscustomobject]@{ VirtualIP = $address; PublicKey = $key.PublicKey; ConfigPath = $file.FullName }
}

if ($Save) { Save-TaltunConfig -Name $Name }
