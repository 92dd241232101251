namespace Taltun.Foundation;

/// <summary>
/// A tunnel could not start, or a change to a running tunnel failed. The message names the cause
/// and, where there is one, the fix; it never contains key material.
/// </summary>
public sealed class TunnelException : Exception
{
    public TunnelException(TunnelError error, string message, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
    }

    public TunnelError Error { get; }
}
