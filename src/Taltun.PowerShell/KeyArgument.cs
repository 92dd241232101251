using System.Management.Automation;
using Taltun.Crypto;

namespace Taltun.PowerShell;

/// <summary>The error for a malformed key parameter, shared by every cmdlet that takes keys.</summary>
internal static class KeyArgument
{
    /// <summary>
    /// A terminating ErrorRecord (ErrorId <see cref="ErrorIds.InvalidKey"/>) naming the parameter
    /// and the accepted forms. The key text is neither in the message nor the target object: it
    /// may be a private key with one character wrong.
    /// </summary>
    public static ErrorRecord Error(KeyFormatException e, string? parameterName = null)
    {
        string parameter = parameterName ?? e.Parameter ?? "Key";
        return new(new ArgumentException($"Cannot use the value of -{parameter}. {e.Message}", parameter, e),
            ErrorIds.InvalidKey,
            ErrorCategory.InvalidArgument,
            parameter);
    }
}
