using System.Buffers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Taltun.Configuration;

namespace Taltun.Control;

/// <summary>
/// One client of a control socket: operations one after another, as wireguard-go serves them —
/// <c>get=1</c>, <c>set=1</c> and Taltun's <c>taltun=1</c> — until the client closes, breaks the
/// protocol, exceeds a limit or stays silent too long. Every read is bounded in size and time;
/// buffers that held keys are zeroed before they are reused or dropped.
/// </summary>
internal sealed class ControlConnection(Socket socket, TunnelControl control, ControlOptions options, ControlAccess access, CancellationToken stopping)
{
    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;
    private long _requestBytes;
    private DateTime _requestDeadline;

    public async Task RunAsync()
    {
        try
        {
            while (true)
            {
                _requestBytes = 0;
                _requestDeadline = DateTime.UtcNow + options.RequestTimeout;
                byte[]? operation = await ReadLineAsync(options.MaxLineBytes).ConfigureAwait(false);
                if (operation is null)
                {
                    return;
                }

                switch (Encoding.ASCII.GetString(operation))
                {
                    case "get=1":
                        // wireguard-go answers errno=-22 to anything but the blank line here and reads on from
                        // the byte after; no client sends that, and Taltun closes, as for any broken request.
                        if (await ReadLineAsync(options.MaxLineBytes).ConfigureAwait(false) is not { Length: 0 })
                        {
                            return;
                        }

                        await GetAsync().ConfigureAwait(false);
                        break;
                    case "set=1":
                        if (!await SetAsync().ConfigureAwait(false))
                        {
                            return;
                        }

                        break;
                    case "taltun=1":
                        if (!await ExtensionAsync().ConfigureAwait(false))
                        {
                            return;
                        }

                        break;
                    default:
                        // wireguard-go closes the connection on an operation it does not know.
                        return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The client went away, was too slow, or the tunnel stopped.
        }
        finally
        {
            CryptographicOperations.ZeroMemory(_buffer);
        }
    }

    private async Task GetAsync()
    {
        var reply = new ArrayBufferWriter<byte>(4096);
        try
        {
            UapiGet.Write(control.Tunnel, access == ControlAccess.Owner, reply);
            reply.Write("errno=0\n\n"u8);
            await SendAsync(reply.WrittenMemory).ConfigureAwait(false);
        }
        finally
        {
            reply.Clear();
        }
    }

    /// <summary>Reads the request's lines to its blank line, then applies it whole; false if the connection must close.</summary>
    private async Task<bool> SetAsync()
    {
        var parser = new UapiSetParser();
        UapiException? refused = null;
        while (true)
        {
            byte[]? line = await ReadLineAsync(options.MaxLineBytes).ConfigureAwait(false);
            if (line is null or { Length: 0 })
            {
                // wireguard-go ends a set at a blank line or at the end of the input alike.
                break;
            }

            try
            {
                if (refused is null)
                {
                    parser.Add(line);
                }
            }
            catch (UapiException e)
            {
                refused = e;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(line);
            }
        }

        int errno = 0;
        try
        {
            if (refused is not null)
            {
                throw refused;
            }

            TunnelUpdate update = OwnerOnlyKeys(parser.Result);
            if (!update.IsEmpty)
            {
                control.Tunnel.Apply(update, UpdateNames.Uapi);
            }
        }
        catch (Exception e) when (e is UapiException || Refusal.Is(e))
        {
            errno = UapiException.ErrnoOf(e);
            control.Tunnel.Log.Error($"A userspace-API set was refused (errno={errno}): {e.Message}");
        }

        await SendAsync(Encoding.ASCII.GetBytes($"errno={errno}\n\n")).ConfigureAwait(false);
        return true;
    }

    /// <summary>One request of Taltun's extension: a JSON line in, a JSON line out.</summary>
    private async Task<bool> ExtensionAsync()
    {
        byte[]? line = await ReadLineAsync(options.MaxRequestBytes).ConfigureAwait(false);
        if (line is null)
        {
            return false;
        }

        ControlResponse response;
        try
        {
            ControlRequest request = JsonSerializer.Deserialize<ControlRequest>(line, ControlJson.Options) ?? throw new JsonException("An empty request.");
            response = Handle(request);
        }
        catch (JsonException e)
        {
            response = new ControlResponse { Error = new ControlError("tunnel", $"Not a Taltun control request: {e.Message}") { Error = Foundation.TunnelError.ControlUnavailable } };
        }
        catch (Exception e) when (e is UapiException || Refusal.Is(e))
        {
            response = new ControlResponse { Error = ControlError.Of(e) };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(line);
        }

        byte[] reply = JsonSerializer.SerializeToUtf8Bytes(response, ControlJson.Options);
        try
        {
            await SendAsync(reply).ConfigureAwait(false);
            await SendAsync("\n"u8.ToArray()).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(reply);
        }

        return true;
    }

    private ControlResponse Handle(ControlRequest request) => request.Op switch
    {
        ControlRequest.ReportOp => new() { Report = control.Report() },
        ControlRequest.PeerOp => new() { Peer = control.PeerStatus(Required(request.PublicKey)) },
        ControlRequest.LogOp => new() { Log = control.Log() },
        ControlRequest.ConfigurationOp => new() { Configuration = control.Configuration(OwnerOnly(request.Secrets, "the tunnel's keys")) },
        ControlRequest.AddPeerOp => new() { Warnings = control.AddPeer(OwnerOnlyKeys(Required(request.Peer)), request.MovePrefixes, request.CheckOnly) },
        ControlRequest.RemovePeerOp => new() { Removed = control.RemovePeer(Required(request.PublicKey)) },
        ControlRequest.ApplyOp => new() { Warnings = control.Apply(OwnerOnlyKeys(Required(request.Update))) },
        ControlRequest.ReloadOp => new() { Warnings = control.Reload(Required(OwnerOnly(request.Text, "a reload (it reads files as the tunnel's user)")), Required(request.Path)) },
        ControlRequest.StopOp => new() { Problems = [.. control.StopTunnel().Select(ControlError.Of)] },
        _ => throw new UapiException(UapiException.EINVAL, $"Unknown operation {MessageText.Quote(request.Op)}; this tunnel runs another version of Taltun than the caller."),
    };

    private T OwnerOnly<T>(T value, string what) => access == ControlAccess.Owner || value is false or null
        ? value
        : throw new UapiException(UapiException.EACCES, $"Only root or the tunnel's own user may ask for {what}; members of its control group may not.");

    /// <summary>
    /// Keys are the owner's to set as to read: a member of the control group may add, remove and
    /// change peers (endpoint, keepalive, allowed IPs), but not give the tunnel a private key or a
    /// peer a preshared key, nor take one away.
    /// </summary>
    private TunnelUpdate OwnerOnlyKeys(TunnelUpdate update) =>
        update.PrivateKey is null && !update.Peers.Any(p => p.PresharedKey is not null || p.ClearPresharedKey) ? update : OwnerOnly(update, KeysRefused);

    private PeerConfiguration OwnerOnlyKeys(PeerConfiguration peer) => peer.PresharedKey is null ? peer : OwnerOnly(peer, KeysRefused);

    private T OwnerOnly<T>(T value, UapiException refusal) => access == ControlAccess.Owner ? value : throw refusal;

    private static UapiException KeysRefused => new(UapiException.EACCES, "Only root or the tunnel's own user may set its private key or a preshared key; members of its control group may not.");

    private static T Required<T>(T? value) where T : class => value ?? throw new UapiException(UapiException.EINVAL, "The request lacks an argument its operation needs.");

    /// <summary>
    /// The next line without its newline, or null at the end of input. A line longer than
    /// <paramref name="limit"/>, a request beyond its size or time, or silence beyond the idle
    /// timeout ends the connection (an exception the caller's loop catches).
    /// </summary>
    private async Task<byte[]?> ReadLineAsync(int limit)
    {
        var pending = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                int take = (newline < 0 ? _end : newline) - _start;
                if (pending.WrittenCount + take > limit)
                {
                    throw new IOException("A line beyond the limit.");
                }

                pending.Write(_buffer.AsSpan(_start, take));
                if (newline >= 0)
                {
                    _start = newline + 1;
                    return pending.WrittenSpan.ToArray();
                }

                _start = _end = 0;
                int received = await ReceiveAsync().ConfigureAwait(false);
                if (received == 0)
                {
                    return pending.WrittenCount == 0 ? null : pending.WrittenSpan.ToArray();
                }

                _end = received;
            }
        }
        finally
        {
            pending.Clear();
        }
    }

    private async Task<int> ReceiveAsync()
    {
        TimeSpan left = _requestDeadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero)
        {
            throw new IOException("The request took too long.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(left < options.IdleTimeout ? left : options.IdleTimeout);
        int received = await socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
        _requestBytes += received;
        if (_requestBytes > options.MaxRequestBytes)
        {
            throw new IOException("A request beyond the limit.");
        }

        return received;
    }

    /// <summary>
    /// Sends a reply within the idle timeout. The tunnel stopping does not cut it short: the reply
    /// to a stop request is written after the tunnel (and with it this server) has stopped.
    /// </summary>
    private async Task SendAsync(ReadOnlyMemory<byte> data)
    {
        using var timeout = new CancellationTokenSource(options.IdleTimeout);
        while (!data.IsEmpty)
        {
            int sent = await socket.SendAsync(data, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            data = data[sent..];
        }
    }
}
