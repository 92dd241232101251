using Taltun.Crypto;
using Taltun.Foundation;

namespace Taltun.Configuration;

/// <summary>
/// The exceptions with which the engine refuses a request and changes nothing — a configuration,
/// a key, a file or the tunnel itself said no — as opposed to a bug. Callers that report refusals
/// (the cmdlets, the control socket, a reload on SIGHUP) catch exactly these.
/// </summary>
public static class Refusal
{
    public static bool Is(Exception e) => e is ConfigurationException or KeyFormatException or SafeFileException or TunnelException;
}
