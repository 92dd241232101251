namespace Taltun.PowerShell;

/// <summary>
/// Stable ErrorIds: scripts and Pester tests match on these (<c>Should -Throw -ErrorId</c>),
/// so a name never changes once shipped.
/// </summary>
public static class ErrorIds
{
    /// <summary>A key parameter's text is not 44 base64 characters or 64 hex digits.</summary>
    public const string InvalidKey = "InvalidKey";
}
