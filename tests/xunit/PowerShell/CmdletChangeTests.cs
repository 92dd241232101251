using Taltun.PowerShell;
using Taltun.Tests.Control;
using Taltun.Tests.Interop;

namespace Taltun.Tests.PowerShell;

/// <summary>Set-TaltunPeer, Sync-TaltunConfig and Get-TaltunConfig on a tunnel of this process, and how lookups treat names.</summary>
[Collection(InteropCollection.Name)]
public sealed class CmdletChangeTests : IDisposable
{
    private readonly NamespacedSession _host = new("taltun-chg");

    [Theory]
    [InlineData("-AllowedIPs 10.0.0.2/32 -AddAllowedIPs 10.1.0.0/24", "-AllowedIPs: -AllowedIPs replaces the whole list")]
    [InlineData("-PresharedKey (New-TaltunKey -Preshared).PresharedKey -RemovePresharedKey", "-RemovePresharedKey: give either")]
    [InlineData("-AddAllowedIPs 10.1.0.0/33", "-AddAllowedIPs:")]
    [InlineData("-Endpoint 'nohost'", "-Endpoint:")]
    public void SetTaltunPeerRefusesWhatContradictsItselfNamingTheParameterAndChangesNothing(string parameters, string expected)
    {
        string key = AddPeer("10.0.0.2");

        var failure = Assert.Throws<ScriptFailure>(() => _host.Session.Run($"Set-TaltunPeer tchg0 '{key}' {parameters}"));

        Assert.Equal(ErrorIds.InvalidConfiguration, failure.ErrorId);
        Assert.Contains(expected, failure.Record.Exception.Message);
        Assert.Equal(["10.0.0.2/32"], Peer(key).AllowedIPs);
    }

    [Fact]
    public void SetTaltunPeerChangesOnlyWhatItIsGiven()
    {
        string key = AddPeer("10.0.0.2");
        _host.Session.Run($"Set-TaltunPeer tchg0 '{key}' -Endpoint 10.200.0.9:51820 -PersistentKeepalive 15");
        _host.Session.Run($"Set-TaltunPeer tchg0 '{key}' -AddAllowedIPs 192.168.9.0/24 -WhatIf");

        TaltunPeer peer = Peer(key);
        Assert.Equal(("10.200.0.9:51820", 15), (peer.Endpoint, peer.PersistentKeepalive));
        Assert.Equal(["10.0.0.2/32"], peer.AllowedIPs);

        _host.Session.Run($"Set-TaltunPeer tchg0 '{key}' -AllowedIPs @()");
        Assert.Empty(Peer(key).AllowedIPs);
        Assert.DoesNotContain("10.0.0.2 dev tchg0", _host.Namespace.Exec("ip", "route", "show"));
    }

    [Fact]
    public void GetTaltunConfigLeavesKeysOutUnlessAskedAndItsPeersPipeIntoAddTaltunPeer()
    {
        string key = AddPeer("10.0.0.2");
        _host.Session.Run($"Set-TaltunPeer tchg0 '{key}' -PresharedKey (New-TaltunKey -Preshared).PresharedKey -AddAllowedIPs 192.168.9.0/24");

        var config = (TaltunConfig)Assert.Single(_host.Session.Run("Get-TaltunConfig tchg0")).BaseObject;
        var secret = (TaltunConfig)Assert.Single(_host.Session.Run("Get-TaltunConfig tchg0 -IncludeSecrets")).BaseObject;

        Assert.Null(config.PrivateKey);
        Assert.Null(Assert.Single(config.Peers).PresharedKey);
        Assert.DoesNotContain(_host.Key.ToBase64(), config.Text);
        Assert.Equal(_host.Key.ToBase64(), secret.PrivateKey);
        Assert.NotNull(Assert.Single(secret.Peers).PresharedKey);
        Assert.Contains(secret.Peers[0].PresharedKey!, secret.Text);

        _host.Session.Run($"Start-TaltunTunnel -Name tchg1 -VirtualIP 10.0.1.1 -LocalAddress 0.0.0.0:9001 -PrivateKey '{_host.Key.ToBase64()}' -NetworkNamespace {_host.Namespace.Name} | Out-Null");
        _host.Session.Run("(Get-TaltunConfig tchg0).Peers | Add-TaltunPeer -Name tchg1");
        var copied = (TaltunPeer)Assert.Single(_host.Session.Run("Get-TaltunStatus tchg1 -Peer")).BaseObject;
        Assert.Equal((key, "10.0.0.2"), (copied.PublicKey, copied.VirtualIP));
        Assert.Equal(["10.0.0.2/32", "192.168.9.0/24"], copied.AllowedIPs);
    }

    [Fact]
    public void SyncTaltunConfigAppliesTheFileAndAnInvalidOneChangesNothing()
    {
        string path = Path.Combine(_host.Directory, "hub.toml");
        string peer = _host.Session.Run("(New-TaltunKey).PublicKey")[0].ToString();
        string head = $"[interface]\ntun_name = \"tchg0\"\nvip = \"10.0.0.1/24\"\nprivate_key = \"{_host.Key.ToBase64()}\"\n";
        File.WriteAllText(path, head);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _host.Session.Run($"Start-TaltunTunnel -ConfigPath '{path}' -NetworkNamespace {_host.Namespace.Name} | Out-Null");

        File.WriteAllText(path, head + $"mtu = 1400\n\n[[peers]]\npublic_key = \"{peer}\"\nvip = \"10.0.0.7\"\n");
        var warnings = _host.Session.Run("Sync-TaltunConfig tchg0 -WarningVariable w -WarningAction SilentlyContinue; $w");
        Assert.Equal("10.0.0.7", Peer(peer).VirtualIP);
        Assert.Contains(warnings, w => w.ToString().StartsWith("mtu changed in", StringComparison.Ordinal));

        File.WriteAllText(path, head + $"\n[[peers]]\npublic_key = \"{peer}\"\nvip = \"10.0.0.300\"\n");
        var failure = Assert.Throws<ScriptFailure>(() => _host.Session.Run("Sync-TaltunConfig tchg0"));
        Assert.Equal(ErrorIds.InvalidConfiguration, failure.ErrorId);
        Assert.StartsWith($"{path}:8: peers[1].vip:", failure.Record.Exception.Message);
        Assert.Equal("10.0.0.7", Peer(peer).VirtualIP);
    }

    [Theory]
    [InlineData("Get-TaltunStatus '../{0}'")]
    [InlineData("Add-TaltunPeer -Name '../{0}' -PublicKey (New-TaltunKey).PublicKey")]
    [InlineData("Stop-TaltunTunnel '../{0}'")]
    public void ANameThatIsNoInterfaceNameIsNeverAPathToASocket(string command)
    {
        // A socket where '../NAME' would lead from the control directory: it must never be reached.
        string name = $"tchgt{Random.Shared.Next(100_000)}";
        string planted = Path.Combine(Path.GetDirectoryName(Taltun.Control.ControlOptions.DefaultDirectory)!, name + ".sock");
        DeadSocket.Leave(planted);
        try
        {
            var failure = Assert.Throws<ScriptFailure>(() => _host.Session.Run(string.Format(System.Globalization.CultureInfo.InvariantCulture, command, name)));

            Assert.Equal(ErrorIds.TunnelNotFound, failure.ErrorId);
        }
        finally
        {
            File.Delete(planted);
        }
    }

    [Fact]
    public void ASocketLeftByADeadProcessIsPassedOverWhenListedAndAnErrorWhenNamed()
    {
        AddPeer("10.0.0.2");
        string dead = Path.Combine(Taltun.Control.ControlOptions.DefaultDirectory, $"tchgd{Random.Shared.Next(100_000)}.sock");
        DeadSocket.Leave(dead);
        try
        {
            Assert.Contains(_host.Session.Run("(Get-TaltunStatus).Name"), n => n.ToString() == "tchg0");
            _host.Session.Run("Get-TaltunLog | Out-Null; Get-TaltunConfig | Out-Null");

            var failure = Assert.Throws<ScriptFailure>(() => _host.Session.Run($"Get-TaltunStatus {Path.GetFileNameWithoutExtension(dead)}"));
            Assert.Equal(ErrorIds.ControlUnavailable, failure.ErrorId);
            Assert.Contains("its process may have ended", failure.Record.Exception.Message);
        }
        finally
        {
            File.Delete(dead);
        }
    }

    public void Dispose() => _host.Dispose();

    private string AddPeer(string virtualIP)
    {
        if (_host.Session.Run("Get-TaltunStatus tchg0 -ErrorAction SilentlyContinue").Count == 0)
        {
            _host.StartTunnel("tchg0", "10.0.0.1/24");
        }

        return _host.Session.Run($"(New-TaltunKey | Add-TaltunPeer -Name tchg0 -VirtualIP {virtualIP} -PassThru).PublicKey")[0].ToString();
    }

    private TaltunPeer Peer(string key) =>
        (TaltunPeer)Assert.Single(_host.Session.Run($"Get-TaltunStatus tchg0 -Peer -PublicKey '{key}'")).BaseObject;
}
