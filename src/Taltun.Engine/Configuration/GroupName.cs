using System.Text.RegularExpressions;

namespace Taltun.Configuration;

/// <summary>What a Linux group name may be (as shadow-utils' groupadd accepts it), checked before the name reaches getgrnam.</summary>
public static partial class GroupName
{
    public const string Pattern = "^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}$";

    public static bool IsValid(string name) => Regex().IsMatch(name);

    [GeneratedRegex(Pattern)]
    private static partial Regex Regex();
}
