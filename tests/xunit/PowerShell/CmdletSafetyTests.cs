using System.Management.Automation;
using Taltun.Crypto;
using Taltun.PowerShell;
using Taltun.Tests.Interop;

namespace Taltun.Tests.PowerShell;

/// <summary>What a careless user or a local attacker does through the cmdlets, against a tunnel in a namespace the test creates.</summary>
[Collection(InteropCollection.Name)]
public sealed class CmdletSafetyTests : IDisposable
{
    private readonly NamespacedSession _host = new("taltun-safe");

    [Fact]
    public void AnAllowedIPThatIsAnotherPeersVirtualIPIsRefusedNamingItsOwner()
    {
        Start();
        string owner = AddPeer("-VirtualIP 10.78.0.2");
        string taker = PrivateKey.Generate().PublicKey.ToBase64();

        var failure = Assert.Throws<ScriptFailure>(() => _host.Session.Run($"Add-TaltunPeer tsf0 -PublicKey '{taker}' -AllowedIPs 10.78.0.2/32"));

        Assert.Equal(ErrorIds.InvalidConfiguration, failure.ErrorId);
        Assert.Contains($"10.78.0.2/32 already belongs to peer {owner} (10.78.0.2)", failure.Record.Exception.Message);
        Assert.Contains("-Force", failure.Record.Exception.Message);
        Assert.Equal([owner], Peers().Select(p => p.PublicKey));
    }

    [Fact]
    public void ForceMovesAddressesAsWgSetDoesAndTheRoutesFollowExactly()
    {
        Start();
        string first = AddPeer("-VirtualIP 10.78.0.2 -AllowedIPs 192.168.7.0/24, 192.168.8.0/24");
        string second = AddPeer("-VirtualIP 10.78.0.3 -AllowedIPs 192.168.7.0/24, 10.78.0.2/32 -Force");

        TaltunPeer moved = Peers().Single(p => p.PublicKey == first);
        Assert.Null(moved.VirtualIP);
        Assert.Equal(["192.168.8.0/24"], moved.AllowedIPs);
        Assert.Equal(["10.78.0.2/32", "10.78.0.3/32", "192.168.7.0/24"], Peers().Single(p => p.PublicKey == second).AllowedIPs);
        Assert.Contains(_host.Session.Run("Get-TaltunLog tsf0 | ForEach-Object Message"), m => m.ToString() == $"Allowed IP 192.168.7.0/24 moved from peer {first} to peer {second}.");

        string saved = Path.Combine(_host.Directory, "saved.toml");
        _host.Session.Run($"Save-TaltunConfig tsf0 -Path '{saved}'");
        Taltun.Configuration.TunnelConfiguration reloaded = Taltun.Configuration.ConfigurationFile.Load(saved);
        Assert.Equal(3, reloaded.ToOptions().Peers.SelectMany(p => p.AllowedIps).Count(a => a.ToString() is "10.78.0.2/32" or "192.168.7.0/24" or "192.168.8.0/24"));
        Assert.Null(reloaded.Peers.Single(p => p.PublicKey.ToBase64() == first).VirtualIP);

        var emptying = Assert.Throws<ScriptFailure>(() => AddPeer("-AllowedIPs 192.168.8.0/24 -Force"));
        Assert.Contains($"would leave peer {first} with no address", emptying.Record.Exception.Message);

        _host.Session.Run($"Remove-TaltunPeer tsf0 '{first}'");
        Assert.Contains("192.168.7.0/24 dev tsf0", _host.Namespace.Exec("ip", "route", "show"));
        Assert.DoesNotContain("192.168.8.0/24", _host.Namespace.Exec("ip", "route", "show"));
        _host.Session.Run($"Remove-TaltunPeer tsf0 '{second}'");
        Assert.DoesNotContain("192.168.7.0/24", _host.Namespace.Exec("ip", "route", "show"));
    }

    [Fact]
    public void TheTunnelsOwnPrivateKeyAsAPeerIsRefusedWithoutShowingIt()
    {
        Start();

        foreach (string whatIf in new[] { string.Empty, "-WhatIf" })
        {
            var failure = Assert.Throws<ScriptFailure>(() => _host.Session.Run($"Add-TaltunPeer tsf0 -PublicKey '{_host.Key.ToBase64()}' -VirtualIP 10.78.0.9 {whatIf}"));

            Assert.Equal(ErrorIds.InvalidConfiguration, failure.ErrorId);
            Assert.Contains("private key", failure.Record.Exception.Message);
            string everything = $"{failure.Record} {failure.Record.TargetObject} {failure.Record.Exception} {string.Join(' ', _host.Session.Run("Get-TaltunLog tsf0 | Out-String"))}";
            Assert.DoesNotContain(_host.Key.ToBase64()[..8], everything);
        }

        Assert.Empty(Peers());
    }

    [Fact]
    public void APeerWithoutAnAddressIsRefused()
    {
        Start();

        var failure = Assert.Throws<ScriptFailure>(() => AddPeer("-Endpoint 198.51.100.1:9000"));

        Assert.Equal(ErrorIds.InvalidConfiguration, failure.ErrorId);
        Assert.Contains("give it -VirtualIP or -AllowedIPs", failure.Record.Exception.Message);
        Assert.Empty(Peers());
    }

    [Fact]
    public void SavingToStandardOutputIsRefusedAndLeavesItALink()
    {
        Start();

        var refused = Assert.Throws<ScriptFailure>(() => _host.Session.Run("Save-TaltunConfig tsf0 -Path /dev/stdout"));
        var followed = Assert.Throws<ScriptFailure>(() => _host.Session.Run("Save-TaltunConfig tsf0 -Path /dev/stdout -FollowSymlink"));

        Assert.Equal((ErrorIds.SymbolicLinkNotFollowed, ErrorCategory.InvalidArgument), (refused.ErrorId, refused.Record.CategoryInfo.Category));
        Assert.Equal((ErrorIds.NotARegularFile, ErrorCategory.InvalidArgument), (followed.ErrorId, followed.Record.CategoryInfo.Category));
        Assert.Equal("/proc/self/fd/1", new FileInfo("/dev/stdout").LinkTarget);
    }

    [Fact]
    public void FileSystemFailuresAreErrorRecordsAndLeaveNothingBehind()
    {
        Start();
        string missing = Path.Combine(_host.Directory, "clients", "client.toml");

        var noDirectory = Assert.Throws<ScriptFailure>(() => _host.Session.Run($"Save-TaltunConfig tsf0 -Path '{missing}'"));
        Assert.Equal((ErrorIds.DirectoryNotFound, ErrorCategory.ObjectNotFound), (noDirectory.ErrorId, noDirectory.Record.CategoryInfo.Category));
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
        _host.Session.Run($"Save-TaltunConfig tsf0 -Path '{missing}' -Force");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(missing)!));

        using var small = new Taltun.Tests.Configuration.SmallFileSystem();
        string full = Path.Combine(small.Path, "hub.toml");
        File.WriteAllText(full, "old\n");
        small.Fill();

        var noSpace = Assert.Throws<ScriptFailure>(() => _host.Session.Run($"Save-TaltunConfig tsf0 -Path '{full}'"));
        Assert.Equal((ErrorIds.WriteFailed, ErrorCategory.WriteError), (noSpace.ErrorId, noSpace.Record.CategoryInfo.Category));
        Assert.Equal(full, noSpace.Record.TargetObject);
        Assert.Equal("old\n", File.ReadAllText(full));
        Assert.Equal(["filler", "hub.toml"], Directory.GetFileSystemEntries(small.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void AForeignFileAtTheOldTemporaryNameDoesNotLendItsOwnerToAClientFile()
    {
        Start();
        string client = Path.Combine(_host.Directory, "client.toml");
        File.WriteAllText(client + ".tmp", "planted\n");
        NetworkNamespace.Run("chown", "65534:65534", client + ".tmp");

        _host.Session.Run($"New-TaltunKey | New-TaltunClientConfig tsf0 -VirtualIP 10.78.0.5 -Endpoint 198.51.100.1:9000 -Path '{client}'");

        Assert.Equal("0:0", NetworkNamespace.Run("stat", "-c", "%u:%g", client).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(client));
        var exists = Assert.Throws<ScriptFailure>(() => _host.Session.Run($"New-TaltunKey | New-TaltunClientConfig tsf0 -VirtualIP 10.78.0.6 -Endpoint 198.51.100.1:9000 -Path '{client}'"));
        Assert.Equal(ErrorIds.FileExists, exists.ErrorId);
    }

    [Fact]
    public void ADefaultRouteAllowedIPWarnsOnTheWarningStream()
    {
        Start();

        AddPeer("-VirtualIP 10.78.0.2 -AllowedIPs 0.0.0.0/0");

        Assert.Contains(_host.Session.LastWarnings, w => w.Contains("No kernel route added for 0.0.0.0/0"));
        Assert.Contains(_host.Session.Run("Get-TaltunLog tsf0 | Where-Object Level -eq Warning | ForEach-Object Message"), m => m.ToString()!.Contains("No kernel route added for 0.0.0.0/0"));

        _host.Session.Run("Stop-TaltunTunnel tsf0");
        string hub = PrivateKey.Generate().PublicKey.ToBase64();
        _host.Session.Run($"Start-TaltunTunnel -TunName tsf0 -VirtualIP 10.78.0.1/24 -PrivateKey '{_host.Key.ToBase64()}' -NetworkNamespace {_host.Namespace.Name} -Peer @{{ PublicKey = '{hub}'; AllowedIPs = '::/0' }}");
        Assert.Contains(_host.Session.LastWarnings, w => w.Contains("No kernel route added for ::/0"));
    }

    [Fact]
    public void AnExposedKeyFileWarnsInTheLogToo()
    {
        string keyFile = Path.Combine(_host.Directory, "hub.key");
        File.WriteAllText(keyFile, _host.Key.ToBase64());
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        _host.Session.Run($"Start-TaltunTunnel -TunName tsf0 -VirtualIP 10.78.0.1/24 -PrivateKeyPath '{keyFile}' -NetworkNamespace {_host.Namespace.Name}");

        Assert.Contains(_host.Session.LastWarnings, w => w.Contains($"chmod 600 {keyFile}"));
        Assert.Contains(_host.Session.Run("Get-TaltunLog tsf0 | Where-Object Level -eq Warning | ForEach-Object Message"), m => m.ToString()!.Contains($"chmod 600 {keyFile}"));
    }

    [Fact]
    public void ClientFilesAreNotWrittenThroughAPlantedSymlink()
    {
        Start();
        string victim = Path.Combine(_host.Directory, "victim");
        File.WriteAllText(victim, "precious\n");
        string client = Path.Combine(_host.Directory, "client.toml");
        File.CreateSymbolicLink(client + ".tmp", victim);

        _host.Session.Run($"New-TaltunKey | New-TaltunClientConfig tsf0 -VirtualIP 10.78.0.5 -Endpoint 198.51.100.1:9000 -Path '{client}'");

        Assert.Equal("precious\n", File.ReadAllText(victim));
        Assert.Contains("mode = \"client\"", File.ReadAllText(client));
    }

    public void Dispose() => _host.Dispose();

    private void Start() => _host.StartTunnel("tsf0", "10.78.0.1/24");

    private string AddPeer(string parameters)
    {
        string key = PrivateKey.Generate().PublicKey.ToBase64();
        _host.Session.Run($"Add-TaltunPeer tsf0 -PublicKey '{key}' {parameters}");
        return key;
    }

    private List<TaltunPeer> Peers() => [.. _host.Session.Run("Get-TaltunStatus tsf0 -Peer").Select(p => (TaltunPeer)p.BaseObject)];
}
