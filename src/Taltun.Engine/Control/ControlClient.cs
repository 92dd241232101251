using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Device;
using Taltun.Foundation;
using Taltun.Interop;

namespace Taltun.Control;

/// <summary>
/// A tunnel of another process, operated over its control socket with Taltun's extension (one
/// connection per operation). Errors come back as the exceptions the other side threw. Also
/// finds the Taltun tunnels that serve sockets in a directory, and speaks the plain userspace
/// API (get=1, set=1) as wg does. Thread-safe: it holds nothing between operations.
/// </summary>
public sealed class ControlClient(string name, string path, TimeSpan? timeout = null) : ITunnelOperations
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromMinutes(2);

    public string Name { get; } = name;

    public string Path { get; } = path;

    /// <summary>
    /// The names of the sockets in <paramref name="directory"/>, in order: the tunnels served
    /// there. A socket may be another program's (wireguard-go's) or left by a dead process, which
    /// a request to it then tells. Empty if the directory is missing or not ours to read.
    /// </summary>
    public static IReadOnlyList<string> ServedNames(string directory)
    {
        try
        {
            return [.. Directory.EnumerateFiles(directory, "*.sock")
                .Select(System.IO.Path.GetFileNameWithoutExtension)
                .OfType<string>()
                .Where(name => Of(name, directory) is not null)
                .Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// A client for tunnel <paramref name="name"/> if a socket of that name is in
    /// <paramref name="directory"/>, else null; a name that is not an interface name never
    /// becomes a path ('../x').
    /// </summary>
    public static ControlClient? Of(string name, string directory, TimeSpan? timeout = null)
    {
        string path = ControlServer.PathOf(directory, name);
        return Limits.IsInterfaceName(name)
            && Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out StatxResult status) == 0
            && status.Type == Libc.S_IFSOCK
            ? new ControlClient(name, path, timeout)
            : null;
    }

    public TunnelReport Report() => Call(new ControlRequest { Op = ControlRequest.ReportOp }).Report ?? throw Garbled();

    public PeerStatus? PeerStatus(PublicKey publicKey) => Call(new ControlRequest { Op = ControlRequest.PeerOp, PublicKey = publicKey }).Peer;

    public IReadOnlyList<TunnelLogEntry> Log() => Call(new ControlRequest { Op = ControlRequest.LogOp }).Log ?? [];

    public TunnelConfiguration Configuration(bool secrets) =>
        Call(new ControlRequest { Op = ControlRequest.ConfigurationOp, Secrets = secrets }).Configuration ?? throw Garbled();

    public IReadOnlyList<string> AddPeer(PeerConfiguration peer, bool movePrefixes, bool checkOnly) =>
        Call(new ControlRequest { Op = ControlRequest.AddPeerOp, Peer = peer, MovePrefixes = movePrefixes, CheckOnly = checkOnly }).Warnings ?? [];

    public bool RemovePeer(PublicKey publicKey) => Call(new ControlRequest { Op = ControlRequest.RemovePeerOp, PublicKey = publicKey }).Removed ?? false;

    public IReadOnlyList<string> Apply(TunnelUpdate update) => Call(new ControlRequest { Op = ControlRequest.ApplyOp, Update = update }).Warnings ?? [];

    public IReadOnlyList<string> Reload(string text, string path) => Call(new ControlRequest { Op = ControlRequest.ReloadOp, Text = text, Path = path }).Warnings ?? [];

    public IReadOnlyList<Exception> StopTunnel() => [.. (Call(new ControlRequest { Op = ControlRequest.StopOp }).Problems ?? []).Select(p => p.ToException())];

    /// <summary>A userspace-API request as wg sends it (<c>get=1\n\n</c>, or <c>set=1\n</c> and its lines), and the reply up to and including its errno line.</summary>
    public string Uapi(string request)
    {
        using Socket socket = Connect();
        Send(socket, Encoding.ASCII.GetBytes(request));
        var reply = new StringBuilder();
        var buffer = new byte[8192];
        while (!reply.ToString().Contains("errno=", StringComparison.Ordinal) || !reply.ToString().EndsWith("\n\n", StringComparison.Ordinal))
        {
            int received = socket.Receive(buffer);
            if (received == 0)
            {
                break;
            }

            reply.Append(Encoding.ASCII.GetString(buffer, 0, received));
        }

        return reply.ToString();
    }

    private ControlResponse Call(ControlRequest request)
    {
        using Socket socket = Connect();
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(request, ControlJson.Options);
        Send(socket, [.. "taltun=1\n"u8, .. body, (byte)'\n']);
        byte[] line = ReadLine(socket);
        ControlResponse response;
        try
        {
            response = JsonSerializer.Deserialize<ControlResponse>(line, ControlJson.Options) ?? throw Garbled();
        }
        catch (JsonException)
        {
            throw Garbled();
        }

        if (response.Error is { } error)
        {
            throw error.ToException();
        }

        return response;
    }

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
        {
            ReceiveTimeout = (int)_timeout.TotalMilliseconds,
            SendTimeout = (int)_timeout.TotalMilliseconds,
        };
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(Path));
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new TunnelException(TunnelError.ControlUnavailable, e.SocketErrorCode == SocketError.AccessDenied
                ? $"Tunnel '{Name}' runs in another process, whose control socket {Path} only root, that process's user and its control group may use."
                : $"Tunnel '{Name}' does not answer on {Path} ({e.SocketErrorCode}): its process may have ended.");
        }
    }

    private static void Send(Socket socket, byte[] data)
    {
        int sent = 0;
        while (sent < data.Length)
        {
            sent += socket.Send(data, sent, data.Length - sent, SocketFlags.None);
        }
    }

    private byte[] ReadLine(Socket socket)
    {
        using var line = new MemoryStream();
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                int received = socket.Receive(buffer);
                if (received == 0)
                {
                    throw Garbled();
                }

                int newline = Array.IndexOf(buffer, (byte)'\n', 0, received);
                line.Write(buffer, 0, newline < 0 ? received : newline);
                if (newline >= 0)
                {
                    return line.ToArray();
                }
            }
        }
        catch (SocketException e)
        {
            throw new TunnelException(TunnelError.ControlUnavailable, $"Tunnel '{Name}' did not answer on {Path} ({e.SocketErrorCode}).");
        }
    }

    private TunnelException Garbled() =>
        new(TunnelError.ControlUnavailable, $"{Path} did not answer as a Taltun tunnel does: another program (wireguard-go?) serves '{Name}', or it runs another version of Taltun.");
}
