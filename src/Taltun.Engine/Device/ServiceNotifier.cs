using System.Net.Sockets;
using System.Text;

namespace Taltun.Device;

/// <summary>
/// Tells a service manager how this process is doing, as systemd's sd_notify(3) does, without
/// libsystemd: one datagram of newline-separated assignments ("READY=1\nSTATUS=…", "STOPPING=1")
/// to the AF_UNIX datagram socket that $NOTIFY_SOCKET names — a path, or, with a leading '@', a
/// name in the abstract namespace (where the '@' stands for the leading NUL byte). systemd learns
/// the sender's pid from the kernel's credentials on the datagram, so under NotifyAccess=main the
/// main process must send it itself, as a foreground tunnel does. The socket does not block: a
/// service manager that cannot take the datagram now gets none, and nothing is retried. Sending
/// never throws: a tunnel must not fail because its notification did. Thread-safe.
/// </summary>
public sealed class ServiceNotifier(string address)
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    /// <summary>The socket's address as $NOTIFY_SOCKET gives it ("/run/systemd/notify", "@name").</summary>
    public string Address { get; } = address;

    /// <summary>The notifier of the service manager that started this process; null if none listens ($NOTIFY_SOCKET unset or empty).</summary>
    public static ServiceNotifier? FromEnvironment() =>
        Environment.GetEnvironmentVariable(SocketVariable) is { Length: > 0 } address ? new ServiceNotifier(address) : null;

    /// <summary>Sends <paramref name="state"/> as one datagram; false, with the reason in <paramref name="problem"/>, if it could not be sent.</summary>
    public bool TryNotify(string state, out string? problem)
    {
        if (EndPoint(out problem) is not { } endPoint)
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
            socket.SendTo(Encoding.UTF8.GetBytes(state), endPoint);
            return true;
        }
        catch (SocketException e)
        {
            problem = $"sending to {Address} failed ({e.SocketErrorCode}: {e.Message})";
            return false;
        }
    }

    private UnixDomainSocketEndPoint? EndPoint(out string? problem)
    {
        problem = null;
        string? path = Address switch
        {
            ['/', ..] => Address,
            ['@', _, ..] => "\0" + Address[1..],
            _ => null,
        };
        if (path is null)
        {
            problem = $"{SocketVariable}={Address} is neither a path nor an abstract name ('@name')";
            return null;
        }

        try
        {
            return new UnixDomainSocketEndPoint(path);
        }
        catch (ArgumentException e)
        {
            problem = $"{SocketVariable}={Address} is no usable socket address ({e.Message})";
            return null;
        }
    }
}
