using System.Globalization;
using System.Net.Sockets;
using Taltun.Configuration;
using Taltun.Foundation;
using Taltun.Interop;

namespace Taltun.Control;

/// <summary>
/// Serves a tunnel's control socket, <c>/var/run/wireguard/NAME.sock</c>: WireGuard's userspace
/// API for wg and the tools built on it, and Taltun's extension for the cmdlets of other
/// processes. The socket is mode 0600 (0660 with a control group) and every connection's
/// credentials are checked (SO_PEERCRED) before a byte is read: root and the tunnel's own user
/// may do everything, members of the control group everything but read or set keys. A socket left by
/// a dead process is replaced; a live one of the same name is an error, never taken over.
/// Each connection runs on the thread pool, bounded and timed (<see cref="ControlOptions"/>),
/// so a client can stall nothing but itself. Stops with the tunnel.
/// </summary>
public sealed class ControlServer : IDisposable
{
    private readonly Socket _listener;
    private readonly TunnelControl _control;
    private readonly ControlOptions _options;
    private readonly uint? _groupId;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    private ControlServer(Socket listener, TunnelControl control, ControlOptions options, uint? groupId, string path)
    {
        _listener = listener;
        _control = control;
        _options = options;
        _groupId = groupId;
        _slots = new SemaphoreSlim(options.MaxConnections);
        Path = path;
    }

    public string Path { get; }

    /// <summary>Connections closed at once because <see cref="ControlOptions.MaxConnections"/> were being served, or whose user may not operate the tunnel.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    private long _refused;

    public static string PathOf(string directory, string tunnel) => System.IO.Path.Combine(directory, tunnel + ".sock");

    /// <summary>
    /// Throws <see cref="TunnelException"/> (ControlSocket) if a live program already serves a
    /// tunnel of this name (in another namespace, say): checked before a start changes anything.
    /// </summary>
    public static void CheckFree(string tunnel, ControlOptions options) => ClaimLocked(PathOf(options.Directory, tunnel), probeOnly: true);

    /// <summary>Binds the tunnel's socket and serves it until the tunnel stops (or Dispose).</summary>
    public static ControlServer Start(TunnelControl control, ControlOptions options)
    {
        uint? groupId = null;
        if (options.Group is { } group)
        {
            groupId = Libc.GroupId(group) ?? throw new TunnelException(TunnelError.ControlSocket, $"control_group: there is no group {MessageText.Quote(group)} on this host; create it (groupadd {group}) or leave control_group out.");
        }

        PrepareDirectory(options.Directory);
        string path = PathOf(options.Directory, control.Name);
        ClaimLocked(path, probeOnly: false);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));

            // Connections are checked one by one as well, so the moment between bind and chmod gives nothing away.
            File.SetUnixFileMode(path, groupId is null ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            if (groupId is { } gid && Libc.Chown(path, -1, (int)gid) != 0)
            {
                throw new TunnelException(TunnelError.ControlSocket, $"Could not give {path} to group {options.Group} ({Errno.Describe(Errno.Last)}); the process needs CAP_CHOWN or to be in that group.");
            }

            listener.Listen(64);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or TunnelException)
        {
            listener.Dispose();
            File.Delete(path);
            throw e as TunnelException ?? new TunnelException(TunnelError.ControlSocket, $"Could not serve {path}: {e.Message}");
        }

        var server = new ControlServer(listener, control, options, groupId, path);
        control.Tunnel.Stopped.Register(server.Dispose);
        _ = Task.Run(server.AcceptAsync);
        control.Tunnel.Log.Verbose($"Control socket {path} serves wg and other processes{(options.Group is null ? string.Empty : $", root and group {options.Group}")}.");
        return server;
    }

    /// <summary>
    /// Waits until no connection is being served, at most <paramref name="limit"/>: a process that
    /// ends because its tunnel was stopped over the socket first lets the stop's reply go out.
    /// </summary>
    public bool WaitIdle(TimeSpan limit)
    {
        long deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        while (_slots.CurrentCount < _options.MaxConnections)
        {
            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }

            Thread.Sleep(10);
        }

        return true;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _listener.Dispose();

        // Only our own socket: if another program took the name since, leave its file alone.
        try
        {
            if (File.Exists(Path))
            {
                File.Delete(Path);
            }
        }
        catch (IOException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            if (!_slots.Wait(0))
            {
                Interlocked.Increment(ref _refused);
                client.Dispose();
                continue;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(client).ConfigureAwait(false);
                }
                finally
                {
                    client.Dispose();
                    _slots.Release();
                }
            });
        }
    }

    private async Task ServeAsync(Socket client)
    {
        if (Access(client) is not { } access)
        {
            Interlocked.Increment(ref _refused);
            return;
        }

        var connection = new ControlConnection(client, _control, _options, access, _stopping.Token);
        await connection.RunAsync().ConfigureAwait(false);
    }

    /// <summary>What the connecting process may do, from its credentials; null: nothing.</summary>
    private ControlAccess? Access(Socket client)
    {
        Span<byte> credentials = stackalloc byte[12];
        if (client.GetRawSocketOption(Libc.SOL_SOCKET, SoPeerCred, credentials) != 12)
        {
            return null;
        }

        int pid = BitConverter.ToInt32(credentials);
        uint uid = BitConverter.ToUInt32(credentials[4..]);
        uint gid = BitConverter.ToUInt32(credentials[8..]);
        if (uid == 0 || uid == Libc.GetEuid())
        {
            return ControlAccess.Owner;
        }

        return _groupId is { } group && (gid == group || GroupsOf(pid).Contains(group)) ? ControlAccess.Operator : null;
    }

    private const int SoPeerCred = 17;

    /// <summary>A process's supplementary groups, from /proc (SO_PEERCRED carries only the primary one).</summary>
    private static HashSet<uint> GroupsOf(int pid)
    {
        try
        {
            string? line = File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status").FirstOrDefault(l => l.StartsWith("Groups:", StringComparison.Ordinal));
            return line is null ? [] : [.. line["Groups:".Length..].Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries).Select(g => uint.Parse(g, CultureInfo.InvariantCulture))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return [];
        }
    }

    /// <summary>Creates the directory as wireguard-go does (0755) and refuses one that anyone but root or this user could change.</summary>
    private static void PrepareDirectory(string directory)
    {
        try
        {
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TunnelException(TunnelError.ControlSocket, $"Could not create {directory} for the tunnel's control socket: {e.Message} Create it (mkdir -m 0755 {directory}) as root, or run the tunnel where it may.");
        }

        if (TrustedPath.Problem(directory) is { } problem)
        {
            throw new TunnelException(TunnelError.ControlSocket, $"The control socket's directory is not safe: {problem}");
        }
    }

    /// <summary>
    /// Makes <paramref name="path"/> free for our socket: nothing there, or a socket nobody
    /// listens on any more (its program died), which is removed. A live socket, or anything
    /// that is not a socket, is an error.
    /// </summary>
    private static void ClaimLocked(string path, bool probeOnly)
    {
        if (Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out StatxResult status) != 0)
        {
            return;
        }

        if (status.Type != Libc.S_IFSOCK)
        {
            throw new TunnelException(TunnelError.ControlSocket, $"{path} exists and is not a socket; remove it (it is where this tunnel's control socket goes).");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new TunnelException(TunnelError.ControlSocket, $"A tunnel named '{System.IO.Path.GetFileNameWithoutExtension(path)}' is already served at {path} by another process{OwnerOf(probe)} (in this or another network namespace; wg show lists it). Stop it, or give this tunnel another name.");
            }
            catch (SocketException)
            {
                // Nobody listens: a socket its program left behind.
            }
        }

        if (!probeOnly)
        {
            File.Delete(path);
        }
    }

    private static string OwnerOf(Socket connected)
    {
        Span<byte> credentials = stackalloc byte[12];
        return connected.GetRawSocketOption(Libc.SOL_SOCKET, SoPeerCred, credentials) == 12
            ? $" (pid {BitConverter.ToInt32(credentials).ToString(CultureInfo.InvariantCulture)})"
            : string.Empty;
    }
}

/// <summary>What a connected process may do: everything, or everything but read or set the tunnel's keys and reload it from files.</summary>
internal enum ControlAccess
{
    Owner,
    Operator,
}
