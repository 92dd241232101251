using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Taltun.Configuration;
using Taltun.Control;
using Taltun.Crypto;
using Taltun.Foundation;
using Taltun.Interop;
using Taltun.Tests.Device;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Control;

/// <summary>
/// Who may use a tunnel's control socket, tried from real processes of other users (setpriv):
/// root only by default (mode 0600); with a control group, its members (primary or
/// supplementary) may operate the tunnel but neither read nor set its keys, and everyone else
/// is refused, by the socket's mode and again by the connection's credentials. Whatever is
/// planted where the socket or its directory goes is refused, never followed or changed.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class ControlPermissionTests : IDisposable
{
    /// <summary>Connects to argv[1], sends stdin, prints the reply (to its errno line or the end), "closed" if none came, or "connect: ERRNO".</summary>
    private const string Client = """
        import errno, socket, sys
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(sys.argv[1])
        except OSError as e:
            print("connect: " + errno.errorcode[e.errno]); sys.exit(0)
        data = b""
        try:
            s.sendall(sys.stdin.buffer.read())
            while not (b"errno=" in data and data.endswith(b"\n\n")) and not data.endswith(b"}\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass
        sys.stdout.write(data.decode() or "closed")
        """;

    private readonly TunnelHost _hub = new("prm", "10.0.0.1", "cta");
    private readonly string _name = $"cta{Random.Shared.Next(100_000)}";
    private readonly string _directory = ControlTestDirectory.Create();
    private readonly string _group = $"cta{Random.Shared.Next(100_000)}";
    private readonly PublicKey _peer = PrivateKey.Generate().PublicKey;
    private readonly PresharedKey _presharedKey = PresharedKey.Generate();
    private ControlServer? _server;

    public ControlPermissionTests()
    {
        NetworkNamespace.Run("groupadd", _group);
        _hub.Start([new PeerOptions { PublicKey = _peer, PresharedKey = _presharedKey, AllowedIps = [IPNetwork.Parse("10.0.0.2/32")] }], name: _name);
    }

    private uint GroupId => Libc.GroupId(_group)!.Value;

    [Fact]
    public void ByDefaultOnlyRootMayConnect()
    {
        Serve(group: null);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_server!.Path));
        Assert.Equal((0u, 0u), Owner(_server.Path));
        Assert.Equal("connect: EACCES", RunAs(["--reuid", "nobody", "--regid", "nogroup", "--clear-groups"], "get=1\n\n").Trim());
        Assert.Equal("connect: EACCES", RunAs(["--reuid", "nobody", "--regid", GroupId.ToString(), "--clear-groups"], "get=1\n\n").Trim());
        Assert.StartsWith($"private_key={_hub.Key.ToHex()}\n", RunAs([], "get=1\n\n"));
    }

    [Fact]
    public void TheControlGroupReadsEverythingButTheKeys()
    {
        Serve(_group);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(_server!.Path));
        Assert.Equal((0u, GroupId), Owner(_server.Path));

        foreach (string[] member in Members())
        {
            string reply = RunAs(member, "get=1\n\n");
            Assert.StartsWith("listen_port=9000\n", reply);
            Assert.Contains($"public_key={_peer.ToHex()}\nprotocol_version=1\n", reply);
            Assert.Contains("allowed_ip=10.0.0.2/32\n", reply);
            Assert.DoesNotContain("private_key", reply);
            Assert.DoesNotContain("preshared_key", reply);
            Assert.DoesNotContain(_hub.Key.ToHex(), reply);
            Assert.DoesNotContain(_presharedKey.ToHex(), reply);
            Assert.EndsWith("errno=0\n\n", reply);

            string configuration = RunAs(member, Extension(new ControlRequest { Op = ControlRequest.ConfigurationOp, Secrets = true }));
            Assert.Equal(TunnelError.PermissionDenied, Refusal(configuration));
            Assert.DoesNotContain(InJson(_hub.Key.ToBase64()), configuration);
            string withoutSecrets = RunAs(member, Extension(new ControlRequest { Op = ControlRequest.ConfigurationOp }));
            Assert.Contains(InJson(_peer.ToBase64()), withoutSecrets);
            Assert.DoesNotContain(InJson(_presharedKey.ToBase64()), withoutSecrets);
        }
    }

    [Fact]
    public void TheControlGroupChangesPeersButMayNotSetKeys()
    {
        Serve(_group);
        string[] member = Members()[0];
        using var otherKey = PrivateKey.Generate();
        using var otherPresharedKey = PresharedKey.Generate();

        Assert.Equal("errno=-13\n\n", RunAs(member, $"set=1\nprivate_key={otherKey.ToHex()}\n\n"));
        Assert.Equal("errno=-13\n\n", RunAs(member, $"set=1\npublic_key={_peer.ToHex()}\npreshared_key={otherPresharedKey.ToHex()}\n\n"));
        Assert.Equal("errno=-13\n\n", RunAs(member, $"set=1\npublic_key={_peer.ToHex()}\npreshared_key={new string('0', 64)}\n\n"));
        string newcomer = PrivateKey.Generate().PublicKey.ToHex();
        Assert.Equal("errno=-13\n\n", RunAs(member, $"set=1\npublic_key={newcomer}\npreshared_key={otherPresharedKey.ToHex()}\nallowed_ip=10.0.0.3/32\n\n"));
        Assert.Equal(TunnelError.PermissionDenied, Refusal(RunAs(member, Extension(new ControlRequest
        {
            Op = ControlRequest.ApplyOp,
            Update = new TunnelUpdate { PrivateKey = otherKey },
        }))));
        Assert.Equal(TunnelError.PermissionDenied, Refusal(RunAs(member, Extension(new ControlRequest
        {
            Op = ControlRequest.AddPeerOp,
            Peer = new PeerConfiguration { PublicKey = PrivateKey.Generate().PublicKey, PresharedKey = otherPresharedKey, AllowedIps = [IPNetwork.Parse("10.0.0.4/32")] },
        }))));

        // Nothing changed: the same identity, the same preshared key, no new peer.
        Assert.Equal(_hub.Key.PublicKey, _hub.Tunnel!.PublicKey);
        Assert.True(_presharedKey.SameBytesAs(_hub.Tunnel.FindPeerConfiguration(_peer)!.PresharedKey!));
        Assert.Single(_hub.Tunnel.Configuration.Peers);

        // What holds no secret a member may change, as wg set does.
        Assert.Equal("errno=0\n\n", RunAs(member, $"set=1\npublic_key={_peer.ToHex()}\nallowed_ip=10.0.0.5/32\npersistent_keepalive_interval=15\n\n"));
        Assert.Equal("errno=0\n\n", RunAs(member, $"set=1\npublic_key={newcomer}\nallowed_ip=10.0.0.3/32\n\n"));
        Assert.Equal([IPNetwork.Parse("10.0.0.2/32"), IPNetwork.Parse("10.0.0.5/32")], _hub.Tunnel.FindPeerConfiguration(_peer)!.AllowedIps);
        Assert.Equal(2, _hub.Tunnel.Configuration.Peers.Count);
        Assert.True(_presharedKey.SameBytesAs(_hub.Tunnel.FindPeerConfiguration(_peer)!.PresharedKey!));

        // Root may set them all.
        Assert.Equal("errno=0\n\n", RunAs([], $"set=1\npublic_key={_peer.ToHex()}\npreshared_key={otherPresharedKey.ToHex()}\n\n"));
        Assert.True(otherPresharedKey.SameBytesAs(_hub.Tunnel.FindPeerConfiguration(_peer)!.PresharedKey!));
    }

    [Fact]
    public void OthersAreRefusedByTheSocketsModeAndAgainByTheirCredentials()
    {
        Serve(_group);
        string[] stranger = ["--reuid", "nobody", "--regid", "nogroup", "--clear-groups"];
        Assert.Equal("connect: EACCES", RunAs(stranger, "get=1\n\n").Trim());

        // Even where the file's mode would let them in, the connection's credentials do not.
        File.SetUnixFileMode(_server!.Path, (UnixFileMode)0x1B6);
        long refused = _server.Refused;
        Assert.Equal("closed", RunAs(stranger, "get=1\n\n"));
        Assert.Equal(refused + 1, _server.Refused);
        Assert.EndsWith("errno=0\n\n", RunAs(Members()[0], "get=1\n\n"));
    }

    [Theory]
    [InlineData("symlink to a file")]
    [InlineData("dangling symlink")]
    [InlineData("regular file")]
    [InlineData("directory")]
    public void SomethingPlantedAtTheSocketsPathIsRefusedAndLeftAlone(string planted)
    {
        string path = ControlServer.PathOf(_directory, _name);
        string target = Path.Combine(_directory, "target");
        switch (planted)
        {
            case "symlink to a file":
                File.WriteAllText(target, "someone's file");
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
                File.CreateSymbolicLink(path, target);
                break;
            case "dangling symlink":
                File.CreateSymbolicLink(path, target);
                break;
            case "regular file":
                File.WriteAllText(path, "someone's file");
                break;
            case "directory":
                Directory.CreateDirectory(path);
                break;
        }

        var before = Snapshot(_directory);
        var error = Assert.Throws<TunnelException>(() => Serve(_group));
        Assert.Equal(TunnelError.ControlSocket, error.Error);
        Assert.Contains("is not a socket", error.Message, StringComparison.Ordinal);
        Assert.Throws<TunnelException>(() => ControlServer.CheckFree(_name, new ControlOptions { Directory = _directory }));
        Assert.Equal(before, Snapshot(_directory));
    }

    [Theory]
    [InlineData("file")]
    [InlineData("symlink to another user's directory")]
    [InlineData("directory others may write")]
    public void AnUntrustedDirectoryIsRefusedAndLeftAlone(string planted)
    {
        string directory = Path.Combine(_directory, "wireguard");
        switch (planted)
        {
            case "file":
                File.WriteAllText(directory, "not a directory");
                break;
            case "symlink to another user's directory":
                string theirs = Path.Combine(_directory, "theirs");
                Directory.CreateDirectory(theirs);
                NetworkNamespace.Run("chown", "nobody", theirs);
                File.CreateSymbolicLink(directory, theirs);
                break;
            case "directory others may write":
                Directory.CreateDirectory(directory);
                File.SetUnixFileMode(directory, (UnixFileMode)0x1FF);
                break;
        }

        var before = Snapshot(_directory);
        var error = Assert.Throws<TunnelException>(() => Serve(_group, directory));
        Assert.Equal(TunnelError.ControlSocket, error.Error);
        Assert.Equal(before, Snapshot(_directory));
    }

    public void Dispose()
    {
        _server?.Dispose();
        _hub.Dispose();
        _presharedKey.Dispose();
        Directory.Delete(_directory, recursive: true);
        NetworkNamespace.Run("groupdel", _group);
    }

    private void Serve(string? group, string? directory = null) =>
        _server = ControlServer.Start(new TunnelControl(_hub.Tunnel!, _hub.Namespace.Name), new ControlOptions { Directory = directory ?? _directory, Group = group });

    /// <summary>The control group's member by primary group, and by a supplementary one (which SO_PEERCRED does not carry).</summary>
    private string[][] Members() =>
    [
        ["--reuid", "nobody", "--regid", GroupId.ToString(), "--clear-groups"],
        ["--reuid", "nobody", "--regid", "nogroup", "--groups", GroupId.ToString()],
    ];

    /// <summary>Runs the client as the user and groups <paramref name="credentials"/> give setpriv (none: as root), sending <paramref name="request"/>.</summary>
    private string RunAs(string[] credentials, string request)
    {
        var start = new ProcessStartInfo("setpriv") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])[.. credentials, "/usr/bin/python3", "-c", Client, _server!.Path])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Write(request);
        process.StandardInput.Close();
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(20_000), "the client did not finish");
        Assert.True(process.ExitCode == 0, $"the client failed: {error.Result}");
        return output;
    }

    private static string Extension(ControlRequest request) =>
        "taltun=1\n" + JsonSerializer.Serialize(request, ControlJson.Options) + "\n";

    /// <summary>The kind of refusal an extension reply carries.</summary>
    private static TunnelError? Refusal(string reply) => JsonSerializer.Deserialize<ControlResponse>(reply, ControlJson.Options)!.Error?.Error;

    private static (uint Uid, uint Gid) Owner(string path)
    {
        string[] ids = NetworkNamespace.Run("stat", "-c", "%u %g", path).Split();
        return (uint.Parse(ids[0]), uint.Parse(ids[1]));
    }

    /// <summary>Every entry under <paramref name="directory"/> with its type, mode, owner, link target and contents: what a refused start must leave as it was.</summary>
    private static string Snapshot(string directory) =>
        NetworkNamespace.Run("find", directory, "-printf", "%p %y %m %U:%G %l\n")
        + string.Concat(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Where(f => File.ResolveLinkTarget(f, false) is null).Select(File.ReadAllText));

    /// <summary>A key as it stands in a JSON reply: the encoder writes '+' as \u002B, so the plain text would never match.</summary>
    private static string InJson(string text) => System.Text.Json.JsonSerializer.Serialize(text, ControlJson.Options)[1..^1];
}
