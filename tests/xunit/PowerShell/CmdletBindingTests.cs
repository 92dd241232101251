using System.Management.Automation;
using Taltun.Crypto;
using Taltun.PowerShell;

namespace Taltun.Tests.PowerShell;

/// <summary>Parameter binding, validation and errors of the cmdlets, in a runspace of this process (no tunnel is started).</summary>
public sealed class CmdletBindingTests : IDisposable
{
    private readonly PowerShellSession _session = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("taltun-ps-").FullName;
    private readonly PrivateKey _key = PrivateKey.Generate();

    [Fact]
    public void ABadConfigFileFailsWithItsFileLineAndKeyAndStartsNothing()
    {
        string path = Path.Combine(_directory, "bad.toml");
        File.WriteAllText(path, $"[interface]\nvip = \"10.0.0.1\"\nprivate_key = \"{_key.ToBase64()}\"\nmtu = 99999\n");

        var failure = Assert.Throws<ScriptFailure>(() => _session.Run($"Start-TaltunTunnel -ConfigPath '{path}'"));

        Assert.Equal(ErrorIds.InvalidConfiguration, failure.ErrorId);
        Assert.Equal(ErrorCategory.InvalidData, failure.Record.CategoryInfo.Category);
        Assert.Contains($"{path}:4: interface.mtu:", failure.Record.Exception.Message);
        Assert.Empty(_session.Run("Get-TaltunStatus | Where-Object ProcessId -eq $PID"));
    }

    [Theory]
    [InlineData("-Mtu 100", "Mtu")]
    [InlineData("-TunName 'a/b'", "'Name'")]
    [InlineData("-Mode Hub", "Mode")]
    public void ParameterValidationRejectsOutOfRangeValues(string parameters, string parameter)
    {
        var failure = Assert.Throws<ScriptFailure>(() => _session.Run($"Start-TaltunTunnel -VirtualIP 10.0.0.1 -PrivateKey '{_key.ToBase64()}' {parameters}"));

        Assert.IsType<ParameterBindingException>(failure.Record.Exception, exactMatch: false);
        Assert.Contains(parameter, failure.Record.Exception.Message);
    }

    [Fact]
    public void ABadParameterValueNamesTheParameter()
    {
        var failure = Assert.Throws<ScriptFailure>(() => _session.Run($"Start-TaltunTunnel -VirtualIP 10.0.0.300 -PrivateKey '{_key.ToBase64()}'"));
        Assert.Equal(ErrorIds.InvalidConfiguration, failure.ErrorId);
        Assert.StartsWith("-VirtualIP: '10.0.0.300'", failure.Record.Exception.Message);

        failure = Assert.Throws<ScriptFailure>(() => _session.Run($"Start-TaltunTunnel -VirtualIP 10.0.0.1 -PrivateKey '{_key.ToBase64()}' -Route 192.168.1.1/24"));
        Assert.Contains("did you mean \"192.168.1.0/24\"", failure.Record.Exception.Message);
    }

    [Fact]
    public void PrivateKeyPathProblemsNameTheParameter()
    {
        string missing = Path.Combine(_directory, "nope.key");
        var failure = Assert.Throws<ScriptFailure>(() => _session.Run($"Start-TaltunTunnel -VirtualIP 10.0.0.1 -PrivateKeyPath '{missing}'"));
        Assert.Equal(ErrorIds.InvalidConfiguration, failure.ErrorId);
        Assert.StartsWith($"-PrivateKeyPath: cannot read {missing}", failure.Record.Exception.Message);

        failure = Assert.Throws<ScriptFailure>(() => _session.Run($"Start-TaltunTunnel -VirtualIP 10.0.0.1 -PrivateKey '{_key.ToBase64()}' -PrivateKeyPath '{missing}'"));
        Assert.Contains("not both", failure.Record.Exception.Message);
    }

    [Fact]
    public void AMalformedPrivateKeyIsInvalidKeyAndNotEchoed()
    {
        string almost = _key.ToBase64()[..43] + "#";
        var failure = Assert.Throws<ScriptFailure>(() => _session.Run($"Start-TaltunTunnel -VirtualIP 10.0.0.1 -PrivateKey '{almost}'"));

        Assert.Equal(ErrorIds.InvalidKey, failure.ErrorId);
        Assert.Contains("-PrivateKey", failure.Record.Exception.Message);
        Assert.DoesNotContain(almost[..20], failure.Record.ToString());
    }

    [Fact]
    public void APrivateKeyWrittenTwiceLeavesNoPartOfItInTheErrorRecord()
    {
        string path = Path.Combine(_directory, "twice.toml");
        File.WriteAllText(path, $"[interface]\nvip = \"10.0.0.1\"\nprivate_key = \"{_key.ToBase64()}\"\nprivate_key = \"{_key.ToBase64()}\"\n");

        var failure = Assert.Throws<ScriptFailure>(() => _session.Run($"Start-TaltunTunnel -ConfigPath '{path}'"));

        Assert.Equal(ErrorIds.InvalidConfiguration, failure.ErrorId);
        Assert.StartsWith($"{path}:4: syntax: ", failure.Record.Exception.Message);
        string everything = $"{failure.Record} {failure.Record.TargetObject} {failure.Record.Exception}";
        Assert.Empty(Taltun.Tests.Configuration.KeyLeaks.Find(_key.ToBase64(), everything, path));
    }

    [Fact]
    public void ADirectoryAsTheConfigurationSaysItIsADirectory()
    {
        var failure = Assert.Throws<ScriptFailure>(() => _session.Run($"Start-TaltunTunnel -ConfigPath '{_directory}'"));

        Assert.Equal(ErrorIds.InvalidConfiguration, failure.ErrorId);
        Assert.Contains($"{_directory}: file: is a directory", failure.Record.Exception.Message);
    }

    [Theory]
    [InlineData("-LocalAddress 0.0.0.0:70000", "-LocalAddress: port 70000 is out of range: use 0 to 65535")]
    [InlineData("-LocalAddress ::1:9100", "write [::1]:9100")]
    [InlineData("-Route 10.0.0.0/33", "-Route: prefix length 33 is out of range: use 0 to 32")]
    [InlineData("-VirtualIP 10.78.0.0/24", "10.78.0.0 is the network address of 10.78.0.0/24")]
    [InlineData("-Mode Client", "a client needs its hub")]
    public void ParametersThatMakeNoSenseSayWhatWould(string parameters, string message)
    {
        string command = $"Start-TaltunTunnel -PrivateKey '{_key.ToBase64()}' {parameters}";
        command += parameters.StartsWith("-VirtualIP", StringComparison.Ordinal) ? string.Empty : " -VirtualIP 10.78.0.1";

        var failure = Assert.Throws<ScriptFailure>(() => _session.Run(command));

        Assert.Equal(ErrorIds.InvalidConfiguration, failure.ErrorId);
        Assert.Contains(message, failure.Record.Exception.Message);
    }

    [Fact]
    public void AMalformedPeerStringIsNotRepeated()
    {
        string almost = _key.ToBase64();

        var failure = Assert.Throws<ScriptFailure>(() => _session.Run($"Start-TaltunTunnel -VirtualIP 10.78.0.1 -PrivateKey '{_key.ToBase64()}' -Peer '{almost}'"));

        Assert.Contains("PUBLICKEY,VIRTUALIP", failure.Record.ToString());
        Assert.DoesNotContain(almost[..6], failure.Record.ToString());
    }

    [Fact]
    public void PeersConvertFromHashtablesAndTheSeedsStringForm()
    {
        string hub = PrivateKey.Generate().PublicKey.ToBase64();
        var fromString = (TaltunPeerDefinition)_session.Run($"[Taltun.PowerShell.TaltunPeerDefinition]'{hub},10.0.0.1,203.0.113.7:9000'")[0].BaseObject;
        var fromTable = (TaltunPeerDefinition)_session.Run($"[Taltun.PowerShell.TaltunPeerDefinition]@{{ PublicKey = '{hub}'; VirtualIP = '10.0.0.1'; AllowedIPs = '192.168.1.0/24' }}")[0].BaseObject;

        Assert.Equal((hub, "10.0.0.1", "203.0.113.7:9000"), (fromString.PublicKey, fromString.VirtualIP, fromString.Endpoint));
        Assert.Equal(["192.168.1.0/24"], fromTable.AllowedIPs!);
    }

    [Fact]
    public void CmdletsOnAnUnknownTunnelSayTunnelNotFound()
    {
        string key = PrivateKey.Generate().PublicKey.ToBase64();
        Assert.Equal(ErrorIds.TunnelNotFound, Assert.Throws<ScriptFailure>(() => _session.Run("Stop-TaltunTunnel nosuch")).ErrorId);
        Assert.Equal(ErrorIds.TunnelNotFound, Assert.Throws<ScriptFailure>(() => _session.Run("Get-TaltunStatus nosuch")).ErrorId);
        Assert.Equal(ErrorIds.TunnelNotFound, Assert.Throws<ScriptFailure>(() => _session.Run($"Add-TaltunPeer -Tunnel nosuch -PublicKey '{key}'")).ErrorId);
        Assert.Empty(_session.Run("Get-TaltunStatus no*"));
    }

    [Fact]
    public void EveryCmdletDeclaresItsOutputType()
    {
        var commands = _session.Run("Get-Command -Module Taltun.PowerShell | Where-Object { $_.OutputType.Count -eq 0 -and $_.Verb -notin 'Stop', 'Remove' } | ForEach-Object Name");
        Assert.Empty(commands);
    }

    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1536L, "1.5 KiB")]
    [InlineData(50L * 1024 * 1024, "50 MiB")]
    public void SizesAreShownReadably(long bytes, string expected) => Assert.Equal(expected, Display.Bytes(bytes));

    [Theory]
    [InlineData(42, "42s ago")]
    [InlineData(185, "3m 5s ago")]
    [InlineData(7260, "2h 1m ago")]
    [InlineData(90000, "1d 1h ago")]
    public void HandshakeAgesReadLikeWgShow(int seconds, string expected) => Assert.Equal(expected, Display.Age(TimeSpan.FromSeconds(seconds)));

    public void Dispose()
    {
        _session.Dispose();
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
