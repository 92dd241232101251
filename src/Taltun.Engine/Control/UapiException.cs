using Taltun.Configuration;
using Taltun.Foundation;

namespace Taltun.Control;

/// <summary>
/// A refused userspace-API request, with the errno the reply carries (negative, as wireguard-go
/// writes it: <c>errno=-22</c>) and a message for the tunnel's log.
/// </summary>
public sealed class UapiException(int errno, string message) : Exception(message)
{
    public const int EIO = -5;
    public const int EINVAL = -22;
    public const int EPROTO = -71;
    public const int EADDRINUSE = -98;
    public const int EACCES = -13;

    public int Errno { get; } = errno;

    /// <summary>The errno a refusal from the engine gets: a port in use as wireguard-go reports it, anything else invalid or an I/O failure.</summary>
    public static int ErrnoOf(Exception error) => error switch
    {
        UapiException uapi => uapi.Errno,
        ConfigurationException => EINVAL,
        Crypto.KeyFormatException => EINVAL,
        TunnelException { Error: TunnelError.PortInUse or TunnelError.AddressUnavailable } => EADDRINUSE,
        TunnelException { Error: TunnelError.InvalidOptions } => EINVAL,
        _ => EIO,
    };
}
