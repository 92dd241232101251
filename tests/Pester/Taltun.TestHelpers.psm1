# Shared by the Pester tests: where the built module is, and network namespaces the tests create
# (and always delete), so tests only touch addresses inside them.

function Get-TaltunModulePath {
    Join-Path $PSScriptRoot '../../out/Taltun/Taltun.psd1' | Resolve-Path | Select-Object -ExpandProperty Path
}

function Invoke-Native {
    # Runs a command; throws with its output when it fails.
    param([Parameter(Mandatory, ValueFromRemainingArguments)] [string[]] $Command)
    $output = & $Command[0] $Command[1..($Command.Count - 1)] 2>&1
    if ($LASTEXITCODE -ne 0) { throw "'$($Command -join ' ')' failed ($LASTEXITCODE): $output" }
    $output
}

function New-TestNamespace {
    # A namespace named after this test run, with loopback up.
    param([Parameter(Mandatory)] [string] $Role)
    $name = "tpester-$Role-$PID"
    Invoke-Native ip netns add $name | Out-Null
    Invoke-Native ip -n $name link set lo up | Out-Null
    $name
}

function Remove-TestNamespace {
    param([string[]] $Name)
    foreach ($ns in $Name) { if ($ns) { & ip netns delete $ns 2>$null } }
}

function Connect-TestNamespace {
    # A veth from the hub namespace to a client namespace. The hub has the same address on every
    # such link (a host route per client), so every client reaches the hub at one endpoint.
    param(
        [Parameter(Mandatory)] [string] $Hub,
        [Parameter(Mandatory)] [string] $HubAddress,
        [Parameter(Mandatory)] [string] $Client,
        [Parameter(Mandatory)] [string] $ClientAddress
    )
    $link = "tpv$(Get-Random -Maximum 1000000)"
    Invoke-Native ip link add "${link}h" netns $Hub type veth peer name "${link}c" netns $Client | Out-Null
    Invoke-Native ip -n $Hub address add "$HubAddress/32" dev "${link}h" | Out-Null
    Invoke-Native ip -n $Client address add "$ClientAddress/24" dev "${link}c" | Out-Null
    Invoke-Native ip -n $Hub link set "${link}h" up | Out-Null
    Invoke-Native ip -n $Client link set "${link}c" up | Out-Null
    Invoke-Native ip -n $Hub route add "$ClientAddress/32" dev "${link}h" | Out-Null
}

function Test-Ping {
    # True if at least Count-1 of Count echoes from the namespace to Address come back.
    param([string] $Namespace, [string] $Address, [int] $Count = 3)
    $output = & ip netns exec $Namespace ping -c $Count -i 0.2 -W 2 $Address 2>&1 | Out-String
    $received = if ($output -match '(\d+) received') { [int]$Matches[1] } else { 0 }
    $received -ge ($Count - 1)
}

function Start-ForegroundTunnel {
    # A tunnel as its service runs it, in a pwsh of its own: Start-TaltunTunnel -ConfigPath -Wait,
    # output to LogPath. Returns the process once this process's Get-TaltunStatus sees the tunnel
    # served by it; throws with the output if it does not come up.
    param(
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $ConfigPath,
        [Parameter(Mandatory)] [string] $Namespace,
        [Parameter(Mandatory)] [string] $LogPath
    )
    # pwsh runs as a dotnet tool here: start the same host the same way (dotnet pwsh.dll).
    $pwsh = @([Environment]::ProcessPath) + @(if ((Split-Path -Leaf ([Environment]::ProcessPath)) -eq 'dotnet') { "$PSHOME/pwsh.dll" })
    $command = "Import-Module '$(Get-TaltunModulePath)'; Start-TaltunTunnel -ConfigPath '$ConfigPath' -NetworkNamespace '$Namespace' -Wait"
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $command)
    $process = Start-Process -FilePath $pwsh[0] -ArgumentList $arguments -RedirectStandardOutput $LogPath -RedirectStandardError "$LogPath.err" -PassThru
    $deadline = (Get-Date).AddSeconds(60)
    while ((Get-Date) -lt $deadline -and -not $process.HasExited) {
        if ((Get-TaltunStatus -Name $Name -ErrorAction SilentlyContinue).ProcessId -eq $process.Id) { return $process }
        Start-Sleep -Milliseconds 200
    }
    if (-not $process.HasExited) { $process.Kill() }
    throw "Tunnel $Name did not come up: $(Get-Content $LogPath -Raw) $(Get-Content "$LogPath.err" -Raw)"
}

Export-ModuleMember -Function Get-TaltunModulePath, Invoke-Native, New-TestNamespace, Remove-TestNamespace, Connect-TestNamespace, Test-Ping, Start-ForegroundTunnel
