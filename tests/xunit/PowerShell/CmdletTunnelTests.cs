using System.Management.Automation;
using Taltun.Crypto;
using Taltun.PowerShell;
using Taltun.Tests.Interop;

namespace Taltun.Tests.PowerShell;

/// <summary>The cmdlets against a real tunnel, started inside a namespace the test creates (-NetworkNamespace).</summary>
[Collection(InteropCollection.Name)]
public sealed class CmdletTunnelTests : IDisposable
{
    private readonly NamespacedSession _host = new("taltun-ps");

    [Fact]
    public void KeyPairsAndObjectsBindToAddTaltunPeerByPropertyName()
    {
        Start();

        var added = _host.Session.Run("New-TaltunKey | Add-TaltunPeer -Tunnel tps0 -VirtualIP 10.0.0.5 -PassThru");
        _host.Session.Run("[pscustomobject]@{ PublicKey = (New-TaltunKey).PublicKey; VirtualIP = '10.0.0.6'; AllowedIPs = '192.168.7.0/24'; PersistentKeepalive = 15 } | Add-TaltunPeer -Tunnel tps0");

        var peer = (TaltunPeer)Assert.Single(added).BaseObject;
        Assert.Equal(("tps0", "10.0.0.5"), (peer.Tunnel, peer.VirtualIP));
        Assert.Equal(["10.0.0.5/32"], peer.AllowedIPs);
        var peers = _host.Session.Run("Get-TaltunStatus tps0 -Peer").Select(p => (TaltunPeer)p.BaseObject).ToList();
        Assert.Equal(2, peers.Count);
        TaltunPeer site = peers.Single(p => p.VirtualIP == "10.0.0.6");
        Assert.Equal(["10.0.0.6/32", "192.168.7.0/24"], site.AllowedIPs);
        Assert.Equal(15, site.PersistentKeepalive);
        Assert.Null(site.LatestHandshake);
        Assert.Contains("192.168.7.0/24 dev tps0", _host.Namespace.Exec("ip", "route", "show"));
    }

    [Fact]
    public void PeersPipedFromGetTaltunStatusAreRemoved()
    {
        Start();
        _host.Session.Run("1..3 | ForEach-Object { New-TaltunKey | Add-TaltunPeer -Tunnel tps0 -VirtualIP \"10.0.0.$($_ + 1)\" }");

        _host.Session.Run("Get-TaltunStatus tps0 -Peer | Where-Object VirtualIP -ne '10.0.0.3' | Remove-TaltunPeer");

        Assert.Equal("10.0.0.3", ((TaltunPeer)Assert.Single(_host.Session.Run("Get-TaltunStatus tps0 -Peer")).BaseObject).VirtualIP);
        string unknown = PrivateKey.Generate().PublicKey.ToBase64();
        Assert.Equal(ErrorIds.PeerNotFound, Assert.Throws<ScriptFailure>(() => _host.Session.Run($"Remove-TaltunPeer tps0 '{unknown}'")).ErrorId);
    }

    [Fact]
    public void DuplicatePeersAreRefusedAndChangeNothing()
    {
        Start();
        string owner = ((TaltunPeer)_host.Session.Run("New-TaltunKey | Add-TaltunPeer -Tunnel tps0 -VirtualIP 10.0.0.5 -PassThru")[0].BaseObject).PublicKey;

        var failure = Assert.Throws<ScriptFailure>(() => _host.Session.Run("New-TaltunKey | Add-TaltunPeer -Tunnel tps0 -VirtualIP 10.0.0.5"));

        Assert.Equal(ErrorIds.InvalidConfiguration, failure.ErrorId);
        Assert.StartsWith($"-VirtualIP: 10.0.0.5/32 already belongs to peer {owner} (10.0.0.5)", failure.Record.Exception.Message);
        Assert.Single(_host.Session.Run("Get-TaltunStatus tps0 -Peer"));
    }

    [Fact]
    public void WhatIfStopsNothingAndStopRemovesEverything()
    {
        Start();

        _host.Session.Run("Get-TaltunStatus tps0 | Stop-TaltunTunnel -WhatIf");
        Assert.Single(_host.Session.Run("Get-TaltunStatus | Where-Object ProcessId -eq $PID"));
        Assert.Contains("tps0", _host.Namespace.Exec("ip", "link", "show"));

        _host.Session.Run("Get-TaltunStatus tps0 | Stop-TaltunTunnel");
        Assert.Empty(_host.Session.Run("Get-TaltunStatus | Where-Object ProcessId -eq $PID"));
        Assert.DoesNotContain("tps0", _host.Namespace.Exec("ip", "link", "show"));
    }

    [Fact]
    public void EveryRunspaceOfTheProcessSeesTheTunnelAndItsNameIsUnique()
    {
        Start();
        using var other = new PowerShellSession();

        var seen = (TaltunTunnel)Assert.Single(other.Run("Get-TaltunStatus | Where-Object ProcessId -eq $PID")).BaseObject;
        Assert.Equal(("tps0", "Server", 9000), (seen.Name, seen.Mode, seen.ListenPort));
        Assert.Equal(_host.Namespace.Name, seen.NetworkNamespace);

        var failure = Assert.Throws<ScriptFailure>(() => other.Run($"Start-TaltunTunnel -TunName tps0 -VirtualIP 10.0.1.1 -PrivateKey '{_host.Key.ToBase64()}' -LocalAddress 0.0.0.0:9001 -NetworkNamespace {_host.Namespace.Name}"));
        Assert.Equal(ErrorIds.TunnelAlreadyRunning, failure.ErrorId);
    }

    [Fact]
    public void StatusLogsAndSavedFilesNeverContainThePrivateKey()
    {
        string config = Path.Combine(_host.Directory, "hub.toml");
        File.WriteAllText(config, $"[interface]\ntun_name = \"tps0\"\nvip = \"10.0.0.1/24\"\nprivate_key = \"{_host.Key.ToBase64()}\"\n");
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _host.Session.Run($"Start-TaltunTunnel -ConfigPath '{config}' -NetworkNamespace {_host.Namespace.Name}");
        _host.Session.Run("New-TaltunKey | Add-TaltunPeer -Tunnel tps0 -VirtualIP 10.0.0.9");

        string everything = string.Join('\n', _host.Session.Run("Get-TaltunStatus | ConvertTo-Json -Depth 6; Get-TaltunStatus -Peer | ConvertTo-Json -Depth 6; Get-TaltunLog | Out-String; Get-TaltunStatus | Format-Table | Out-String; Get-TaltunStatus -Peer | Out-String"));
        Assert.Contains("10.0.0.9", everything);
        Assert.Matches(@"10\.0\.0\.9\s+\(none\)\s+never\s+0 B\s+0 B", everything);
        Assert.DoesNotContain(_host.Key.ToBase64(), everything);
        Assert.DoesNotContain(_host.Key.ToHex(), everything);

        _host.Session.Run("Save-TaltunConfig tps0");
        string saved = File.ReadAllText(config);
        Assert.Contains("vip = \"10.0.0.9\"", saved);
        Assert.Contains(_host.Key.ToBase64(), saved);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
    }

    [Fact]
    public void APrivateKeyFileIsReadAndKeptAsAFileReference()
    {
        string keyFile = Path.Combine(_host.Directory, "hub.key");
        File.WriteAllText(keyFile, _host.Key.ToBase64() + "\n");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var tunnel = (TaltunTunnel)Assert.Single(_host.Session.Run($"Start-TaltunTunnel -TunName tps0 -VirtualIP 10.0.0.1 -PrivateKeyPath '{keyFile}' -NetworkNamespace {_host.Namespace.Name}")).BaseObject;

        Assert.Equal(_host.Key.PublicKey.ToBase64(), tunnel.PublicKey);
        Assert.Contains(_host.Session.LastWarnings, w => w.Contains($"chmod 600 {keyFile}"));
        string saved = Path.Combine(_host.Directory, "saved.toml");
        _host.Session.Run($"Save-TaltunConfig tps0 -Path '{saved}'");
        string text = File.ReadAllText(saved);
        Assert.Contains($"private_key_file = \"{keyFile}\"", text);
        Assert.DoesNotContain(_host.Key.ToBase64(), text);
    }

    [Fact]
    public void SystemFailuresCarryTheirErrorIds()
    {
        _host.Namespace.Exec("ip", "link", "add", "tps0", "type", "veth", "peer", "name", "tps0peer");
        var failure = Assert.Throws<ScriptFailure>(() => Start());
        Assert.Equal(ErrorIds.InterfaceExists, failure.ErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, failure.Record.CategoryInfo.Category);

        failure = Assert.Throws<ScriptFailure>(() => _host.Session.Run($"Start-TaltunTunnel -TunName tps1 -VirtualIP 10.0.0.1 -PrivateKey '{_host.Key.ToBase64()}' -NetworkNamespace no-such-namespace-{Environment.ProcessId}"));
        Assert.Equal(ErrorIds.InvalidConfiguration, failure.ErrorId);
        Assert.Contains("ip netns add", failure.Record.Exception.Message);
        Assert.Empty(_host.Session.Run("Get-TaltunStatus | Where-Object ProcessId -eq $PID"));
    }

    [Fact]
    public void TunnelNamesTabComplete()
    {
        Start();
        var completions = _host.Session.Run("(TabExpansion2 -inputScript 'Stop-TaltunTunnel tp' -cursorColumn 20).CompletionMatches.CompletionText");
        Assert.Equal(["tps0"], completions.Select(c => c.ToString()));
        Assert.Empty(_host.Session.Run("(TabExpansion2 -inputScript 'Get-TaltunStatus zz' -cursorColumn 19).CompletionMatches"));
    }

    [Fact]
    public void StoppingAForegroundTunnelLikeCtrlCStopsItGracefully()
    {
        using var runspace = System.Management.Automation.Runspaces.RunspaceFactory.CreateRunspace(PowerShellSession.State());
        runspace.Open();
        using var shell = System.Management.Automation.PowerShell.Create(runspace);
        shell.AddScript($"Start-TaltunTunnel -TunName tps0 -VirtualIP 10.0.0.1 -PrivateKey '{_host.Key.ToBase64()}' -NetworkNamespace {_host.Namespace.Name} -Wait -InformationAction Continue");
        IAsyncResult running = shell.BeginInvoke();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (_host.Session.Run("Get-TaltunStatus | Where-Object ProcessId -eq $PID").Count == 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(50);
        }

        Assert.Contains("tps0", _host.Namespace.Exec("ip", "link", "show"));
        Assert.Single(_host.Session.Run("Get-TaltunStatus | Where-Object ProcessId -eq $PID"));

        // What Ctrl+C does: the pipeline is stopped, the cmdlet's StopProcessing runs.
        shell.Stop();
        Assert.True(running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5)));
        Assert.Empty(_host.Session.Run("Get-TaltunStatus | Where-Object ProcessId -eq $PID"));
        Assert.DoesNotContain("tps0", _host.Namespace.Exec("ip", "link", "show"));
        Assert.Contains(shell.Streams.Information, record => record.MessageData.ToString()!.Contains("Tunnel 'tps0' is up"));
    }

    public void Dispose() => _host.Dispose();

    private void Start() => _host.StartTunnel("tps0", "10.0.0.1/24");
}
