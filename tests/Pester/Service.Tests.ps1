# Taltun as a systemd service: the unit file (packaging/systemd/taltun@.service) checked by
# systemd's own verifier and directive by directive; Start-TaltunTunnel -Wait as a service manager
# sees it (plain lines, READY=1 and STOPPING=1 on $NOTIFY_SOCKET, SIGTERM and SIGINT alike); and
# the unit's own command line, run as an unprivileged user holding only CAP_NET_ADMIN in a sandbox
# built as the unit describes (Enter-UnitSandbox.sh). systemd is not PID 1 where these tests run,
# so the unit itself is never started.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    $script:modulePath = Get-TaltunModulePath
    Import-Module $modulePath -Force
    $script:repository = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:unitPath = Join-Path $repository 'packaging/systemd/taltun@.service'
    $script:sysusersPath = Join-Path $repository 'packaging/systemd/taltun.sysusers'
    $script:sandbox = Join-Path $PSScriptRoot 'Enter-UnitSandbox.sh'
    # pwsh runs as a dotnet tool here: start the same host the same way (dotnet pwsh.dll).
    $script:pwsh = @([Environment]::ProcessPath) + @(if ((Split-Path -Leaf ([Environment]::ProcessPath)) -eq 'dotnet') { "$PSHOME/pwsh.dll" })
    $script:escape = [char]27

    function Get-UnitSetting([string] $Section, [string] $Key) {
        # Every value the unit gives Key in [Section], in order.
        $current = $null
        foreach ($line in Get-Content $unitPath) {
            if ($line -match '^\s*([#;]|$)') { continue }
            if ($line -match '^\[(.+)\]$') { $current = $Matches[1]; continue }
            if ($current -eq $Section -and $line -match '^([A-Za-z]+)=(.*)$' -and $Matches[1] -eq $Key) { $Matches[2] }
        }
    }

    function Assert-ServiceSettings([System.Collections.Specialized.OrderedDictionary] $Expected) {
        foreach ($key in $Expected.Keys) {
            Get-UnitSetting Service $key | Should -Be $Expected[$key] -Because "the unit's [Service] $key"
        }
    }

    function Split-UnitWords([string] $Text) {
        # Words as systemd splits a command line or an Environment= value: at white space, a
        # double-quoted string being one word.
        foreach ($match in [regex]::Matches($Text, '"([^"]*)"|(\S+)')) {
            if ($match.Groups[1].Success) { $match.Groups[1].Value } else { $match.Groups[2].Value }
        }
    }

    function Start-Foreground {
        # Starts Command with standard output and error redirected (as under systemd: no terminal),
        # with SIGINT at its default even if whoever started the tests ignores it.
        param([string[]] $Command, [hashtable] $Environment = @{})
        $start = [System.Diagnostics.ProcessStartInfo]::new('env')
        foreach ($argument in @('--default-signal=INT') + $Command) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        # A colour terminal's name and no NO_COLOR (which the test run sets): Taltun's lines must be
        # plain because stdout is no terminal, not because they were asked to be.
        [void]$start.Environment.Remove('NO_COLOR')
        $start.Environment['TERM'] = 'xterm-256color'
        foreach ($name in $Environment.Keys) { $start.Environment[$name] = $Environment[$name] }
        [System.Diagnostics.Process]::Start($start)
    }

    function New-NotifySocket([string] $Address) {
        # A service manager's notification socket: a path, or '@name' in the abstract namespace.
        $socket = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Dgram, [System.Net.Sockets.ProtocolType]::Unspecified)
        $socket.Bind([System.Net.Sockets.UnixDomainSocketEndPoint]::new(($Address -replace '^@', "`0")))
        $socket
    }

    function Clear-Notification($Socket) {
        # What an earlier test that failed half-way left unread would be taken for the next one's.
        while ($Socket.Available -gt 0) { [void]$Socket.Receive([byte[]]::new(4096)) }
    }

    function Receive-Notification($Socket, [System.Diagnostics.Process] $Process, [int] $Seconds = 60) {
        # The next datagram, or $null if none came in time or the process ended without one.
        $deadline = (Get-Date).AddSeconds($Seconds)
        while ((Get-Date) -lt $deadline) {
            if ($Socket.Poll(200000, [System.Net.Sockets.SelectMode]::SelectRead)) {
                $buffer = [byte[]]::new(4096)
                $length = $Socket.Receive($buffer)
                return [Text.Encoding]::UTF8.GetString($buffer, 0, $length)
            }
            if ($Process.HasExited -and $Socket.Available -eq 0) { return $null }
        }
        $null
    }

    function Stop-Foreground([System.Diagnostics.Process] $Process, [string] $Signal) {
        # Sends the signal and waits for the end; the output, read to its end, comes back.
        kill "-$Signal" $Process.Id
        $exited = $Process.WaitForExit(30000)
        if (-not $exited) { $Process.Kill() }
        [pscustomobject]@{
            Exited   = $exited
            ExitCode = if ($exited) { $Process.ExitCode }
            Output   = $Process.StandardOutput.ReadToEnd()
            Errors   = $Process.StandardError.ReadToEnd()
        }
    }

    function New-ServiceNamespace([string] $Role) {
        $name = "tsv-$Role-$PID"
        Invoke-Native ip netns add $name | Out-Null
        Invoke-Native ip -n $name link set lo up | Out-Null
        $name
    }
}

Describe 'taltun@.service' {
    It 'passes systemd-analyze verify with nothing to say' {
        # verify checks that ExecStart's program exists: a stand-in /usr/bin/pwsh, in a mount
        # namespace of its own, lets it check everything else against this machine's systemd.
        $scratch = Join-Path $TestDrive 'verify'
        New-Item -ItemType Directory "$scratch/upper", "$scratch/work" | Out-Null
        Set-Content "$scratch/upper/pwsh" "#!/bin/sh`n"
        chmod 0755 "$scratch/upper/pwsh"
        Copy-Item $unitPath $scratch
        $verify = 'mount -t overlay overlay -o "lowerdir=/usr/bin,upperdir=$1/upper,workdir=$1/work" /usr/bin && systemd-analyze verify "$1/taltun@tsvhub.service"'
        $output = unshare --mount --propagation private bash -c $verify - $scratch 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $output
        $output | Should -BeNullOrEmpty -Because 'systemd-analyze verify reports unknown keys and bad values as warnings, with exit code 0'
    }

    It 'runs the tunnel that /etc/taltun/NAME.toml describes, as wg-quick@NAME does, in the foreground' {
        Assert-ServiceSettings ([ordered]@{
                ExecStart      = '/usr/bin/pwsh -NoProfile -NonInteractive -Command "Import-Module Taltun; Start-TaltunTunnel -ConfigPath /etc/taltun/%i.toml -Wait"'
                Type           = 'notify'
                NotifyAccess   = 'main'
                ExecReload     = '/bin/kill -HUP $MAINPID'
                KillSignal     = 'SIGTERM'
                KillMode       = 'mixed'
                TimeoutStopSec = '150'
                Restart        = 'on-failure'
            })
        Get-UnitSetting Unit Description | Should -Match '%i'
        Get-UnitSetting Unit Documentation | Should -Not -BeNullOrEmpty
        Get-UnitSetting Unit After | Should -Match '\bnetwork-online\.target\b'
        Get-UnitSetting Unit Wants | Should -Match '\bnetwork-online\.target\b'
        Get-UnitSetting Install WantedBy | Should -Be 'multi-user.target'
    }

    It 'gives an unprivileged user CAP_NET_ADMIN and nothing else, on a read-only system' {
        Assert-ServiceSettings ([ordered]@{
                User                     = 'taltun'
                Group                    = 'taltun'
                AmbientCapabilities      = 'CAP_NET_ADMIN'
                CapabilityBoundingSet    = 'CAP_NET_ADMIN'
                NoNewPrivileges          = 'yes'
                ProtectSystem            = 'strict'
                ProtectHome              = 'yes'
                PrivateTmp               = 'yes'
                RuntimeDirectory         = 'wireguard taltun'
                RuntimeDirectoryMode     = '0755'
                RuntimeDirectoryPreserve = 'yes'
            })
    }

    It 'names a user that its sysusers file creates: a system user with no login' {
        $root = Join-Path $TestDrive 'sysroot'
        New-Item -ItemType Directory "$root/etc" | Out-Null
        $output = systemd-sysusers --root=$root $sysusersPath 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $output
        $user = (Get-Content "$root/etc/passwd" | Where-Object { $_ -like 'taltun:*' }) -split ':'
        [int]$user[2] | Should -BeLessThan 1000
        $user[6] | Should -Be '/usr/sbin/nologin'
        Get-Content "$root/etc/group" | Should -Contain "taltun:x:$($user[3]):"
    }
}

Describe 'Start-TaltunTunnel -Wait as a service manager sees it' {
    BeforeAll {
        $script:ns = New-ServiceNamespace wait
        $script:key = (New-TaltunKey).PrivateKey
        $script:notifyAddress = "@taltun-pester-$PID-$(Get-Random)"
        $script:notify = New-NotifySocket $notifyAddress

        function Start-WaitingTunnel([string] $Name, [int] $Port, [hashtable] $Environment = @{}, [string] $Wrapper) {
            Clear-Notification $notify
            $text = "Import-Module '$modulePath'; Start-TaltunTunnel -Name $Name -VirtualIP 10.0.9.1 -PrivateKey '$key' -LocalAddress 0.0.0.0:$Port -NetworkNamespace $ns -Wait; 'returned'"
            $command = @($pwsh) + @('-NoProfile', '-NonInteractive', '-Command', $text)
            if ($Wrapper) { $command = @('bash', '-c', $Wrapper, '-') + $command }
            Start-Foreground $command (@{ NOTIFY_SOCKET = $notifyAddress } + $Environment)
        }
    }

    AfterAll {
        $notify.Dispose()
        Remove-TestNamespace $ns
    }

    It 'says READY=1 once up, STOPPING=1 on <Signal>, writes a plain line per event and exits 0 after the stopped line' -ForEach @(
        @{ Signal = 'TERM'; Name = 'tsvterm'; Port = 9091 }
        @{ Signal = 'INT'; Name = 'tsvint'; Port = 9092 }
    ) {
        $process = Start-WaitingTunnel $Name $Port
        try {
            $ready = Receive-Notification $notify $process
            $ready | Should -Be "READY=1`nSTATUS=Tunnel '$Name' is up: 10.0.9.1/24, UDP port $Port, 0 peer(s)"
            ip -n $ns -o link show | Out-String | Should -Match $Name -Because 'READY=1 means the tunnel is up'

            $end = Stop-Foreground $process $Signal
            $end.Exited | Should -BeTrue -Because "SIG$Signal must end the foreground tunnel"
            $end.ExitCode | Should -Be 0
            Receive-Notification $notify $process 5 | Should -Be "STOPPING=1`nSTATUS=Stopping tunnel '$Name'"
            $end.Errors | Should -BeNullOrEmpty
            $end.Output.Contains($escape) | Should -BeFalse -Because 'no line may carry an escape sequence when stdout is no terminal'
            $lines = $end.Output.TrimEnd() -split "`r?`n"
            $lines[-1] | Should -Be 'returned' -Because 'the script goes on after the tunnel, as after SIGTERM'
            $lines[-2] | Should -Match "^\[\d\d:\d\d:\d\d\] INFO Tunnel '$Name' stopped; " -Because 'no status object follows the stop'
            $lines[0..($lines.Count - 2)] | Where-Object { $_ -notmatch '^\[\d\d:\d\d:\d\d\] (INFO|WARNING|ERROR) \S' } |
                Should -BeNullOrEmpty -Because 'every other line is one event with its time and level'
            $end.Output | Should -Match "(?m)^\[\d\d:\d\d:\d\d\] INFO Tunnel '$Name' is up: 10\.0\.9\.1/24"
            ip -n $ns -o link show | Out-String | Should -Not -Match $Name
        }
        finally {
            if (-not $process.HasExited) { $process.Kill() }
        }
    }

    It 'starts each line with its syslog priority, not the time, when stdout is the journal stream' {
        # What systemd does for StandardOutput=journal: $JOURNAL_STREAM names the stream's device and inode.
        $process = Start-WaitingTunnel tsvjournal 9093 -Wrapper 'export JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/1); exec "$@"'
        try {
            Receive-Notification $notify $process | Should -Match '^READY=1'
            $end = Stop-Foreground $process TERM
            $end.ExitCode | Should -Be 0
            Receive-Notification $notify $process 5 | Should -Match '^STOPPING=1'
            $lines = $end.Output.TrimEnd() -split "`r?`n"
            $lines[0..($lines.Count - 2)] | Where-Object { $_ -notmatch '^<[3467]>(INFO|WARNING|ERROR|VERBOSE) \S' } | Should -BeNullOrEmpty
            $lines | Should -Contain "<6>INFO Tunnel 'tsvjournal' stopped; its interface, addresses and routes are removed."
        }
        finally {
            if (-not $process.HasExited) { $process.Kill() }
        }
    }

    It 'writes its lines plainly, with times, when JOURNAL_STREAM names some other file' {
        $process = Start-WaitingTunnel tsvnojournal 9094 @{ JOURNAL_STREAM = '8:1' }
        try {
            Receive-Notification $notify $process | Should -Match '^READY=1'
            $end = Stop-Foreground $process TERM
            Receive-Notification $notify $process 5 | Should -Match '^STOPPING=1'
            $end.Output | Should -Match "(?m)^\[\d\d:\d\d:\d\d\] INFO Tunnel 'tsvnojournal' stopped"
        }
        finally {
            if (-not $process.HasExited) { $process.Kill() }
        }
    }

    It 'fails a start with exit code 1 and one plain error line under the unit''s environment, and says no READY=1' {
        $environment = @{ NOTIFY_SOCKET = $notifyAddress }
        foreach ($value in Get-UnitSetting Service Environment) {
            foreach ($assignment in Split-UnitWords $value) { $name, $text = $assignment -split '=', 2; $environment[$name] = $text }
        }
        $text = "Import-Module '$modulePath'; Start-TaltunTunnel -ConfigPath $TestDrive/missing.toml -Wait"
        Clear-Notification $notify
        $process = Start-Foreground (@($pwsh) + @('-NoProfile', '-NonInteractive', '-Command', $text)) $environment
        $process.WaitForExit(60000) | Should -BeTrue
        $process.ExitCode | Should -Be 1
        $errors = $process.StandardError.ReadToEnd()
        $errors | Should -Match 'missing\.toml'
        $errors.Contains($escape) | Should -BeFalse -Because 'the unit sets NO_COLOR, which pwsh honours'
        Receive-Notification $notify $process 1 | Should -BeNullOrEmpty
    }
}

Describe 'The unit''s command, run as an unprivileged user holding only CAP_NET_ADMIN' {
    BeforeAll {
        $script:hubNs = New-ServiceNamespace hub
        $script:peerNs = New-ServiceNamespace peer
        Connect-TestNamespace -Hub $hubNs -HubAddress 10.91.0.1 -Client $peerNs -ClientAddress 10.91.0.2
        $script:hubKey = New-TaltunKey
        $script:peerKey = New-TaltunKey

        # Outside /tmp, /root and /home, which the sandbox hides; the service reaches the notify
        # socket here through the read-only file system, as a unit reaches /run/systemd/notify.
        $script:scratch = Join-Path $repository "out/service-test-$PID"
        New-Item -ItemType Directory "$scratch/config" -Force | Out-Null
        Set-Content "$scratch/config/tsvhub.key" $hubKey.PrivateKey
        Set-Content "$scratch/config/tsvhub.toml" @"
[interface]
mode = "server"
tun_name = "tsvhub"
vip = "10.92.0.1/24"
local_addr = "0.0.0.0:9095"
private_key_file = "/etc/taltun/tsvhub.key"
routes = ["10.93.0.0/24"]
save_config = true

[[peers]]
public_key = "$($peerKey.PublicKey)"
vip = "10.92.0.2"
"@
        chmod 0600 "$scratch/config/tsvhub.key" "$scratch/config/tsvhub.toml"
        $script:notify = New-NotifySocket "$scratch/notify"
        chmod 0666 "$scratch/notify"

        # The environment systemd gives the unit's process: its Environment= lines, and for the
        # taltun user of taltun.sysusers a home of /. The sandbox's user is nobody (65534).
        $environment = [ordered]@{
            PATH              = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin'
            HOME              = '/'
            NOTIFY_SOCKET     = "$scratch/notify"
            RUNTIME_DIRECTORY = '/run/wireguard:/run/taltun'
        }
        foreach ($value in Get-UnitSetting Service Environment) {
            foreach ($assignment in Split-UnitWords $value) { $name, $text = $assignment -split '=', 2; $environment[$name] = $text }
        }
        $command = Split-UnitWords ((Get-UnitSetting Service ExecStart) -replace '%i', 'tsvhub')

        # RLIMIT_MEMLOCK 0, stricter than any default for a user without CAP_IPC_LOCK (8 MiB on
        # this kernel, 64 KiB on older ones): nothing of Taltun's may need locked memory.
        $sandboxed = @('ip', 'netns', 'exec', $hubNs,
            'bash', '-c', 'ulimit -l 0 && exec "$@"', '-',
            $sandbox, $scratch, '65534', '65534', $PSHOME, (Split-Path $modulePath), "$scratch/config", '--') +
            @($environment.Keys | ForEach-Object { "$_=$($environment[$_])" }) + @('--') + $command
        $script:hub = Start-Foreground $sandboxed
        $script:ready = Receive-Notification $notify $hub 90
    }

    AfterAll {
        if ($hub -and -not $hub.HasExited) { $hub.Kill() }
        Get-TaltunStatus | Where-Object Name -eq 'tsvpeer' | Stop-TaltunTunnel
        $notify.Dispose()
        Remove-TestNamespace $hubNs, $peerNs
        Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
    }

    It 'starts from /etc/taltun/NAME.toml and tells the service manager it is up' {
        $ready | Should -Be "READY=1`nSTATUS=Tunnel 'tsvhub' is up: 10.92.0.1/24, UDP port 9095, 1 peer(s)" -Because "the service must come up (its error output: $(if ($hub.HasExited) { $hub.StandardError.ReadToEnd() }))"
        ip -n $hubNs -o address show dev tsvhub | Out-String | Should -Match 'inet 10\.92\.0\.1/24'
        ip -n $hubNs route show | Out-String | Should -Match '10\.93\.0\.0/24 dev tsvhub'
    }

    It 'runs as that user with CAP_NET_ADMIN alone, no new privileges and no locked memory' {
        $status = Get-Content "/proc/$($hub.Id)/status"
        $status | Should -Contain "Uid:`t65534`t65534`t65534`t65534"
        foreach ($set in 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb') {
            $status | Should -Contain "${set}:`t0000000000001000" -Because 'bit 12 is CAP_NET_ADMIN'
        }
        $status | Should -Contain "NoNewPrivs:`t1"
        Get-Content "/proc/$($hub.Id)/limits" | Where-Object { $_ -like 'Max locked memory*' } | Should -Match '\s0\s+0\s+bytes'
    }

    It 'carries a peer''s traffic' {
        Start-TaltunTunnel -Mode Client -Name tsvpeer -PrivateKey $peerKey.PrivateKey -VirtualIP 10.92.0.2 -LocalAddress 0.0.0.0:9096 `
            -Peer "$($hubKey.PublicKey),10.92.0.1,10.91.0.1:9095" -NetworkNamespace $peerNs | Out-Null
        Test-Ping -Namespace $peerNs -Address 10.92.0.1 -Count 5 | Should -BeTrue
        (Get-TaltunStatus tsvpeer -Peer).LatestHandshake | Should -Not -BeNullOrEmpty
    }

    It 'stops clean on SIGTERM: exit code 0, the stopped line, STOPPING=1, no interface, address or route left' {
        $end = Stop-Foreground $hub TERM
        $end.Exited | Should -BeTrue
        $end.ExitCode | Should -Be 0 -Because $end.Errors
        Receive-Notification $notify $hub 5 | Should -Be "STOPPING=1`nSTATUS=Stopping tunnel 'tsvhub'"
        $end.Errors | Should -BeNullOrEmpty
        $end.Output.Contains($escape) | Should -BeFalse
        $end.Output | Should -Match "(?m)^\[\d\d:\d\d:\d\d\] INFO Handshake with peer $([regex]::Escape($peerKey.PublicKey)) completed"
        $end.Output | Should -Match "(?m)^\[\d\d:\d\d:\d\d\] INFO Tunnel 'tsvhub' stopped; "
        # The unit's file system is read-only: save_config cannot write the file back, and says so.
        ($end.Output.TrimEnd() -split "`r?`n")[-1] | Should -Match '^\[\d\d:\d\d:\d\d\] ERROR .*tsvhub\.toml'
        ip -n $hubNs -o link show | Out-String | Should -Not -Match 'tsvhub'
        ip -n $hubNs route show | Out-String | Should -Not -Match '10\.9[23]\.'
        ip -n $hubNs -o address show | Out-String | Should -Not -Match '10\.92\.0\.1'
    }
}
