using System.Globalization;

namespace Taltun.PowerShell;

/// <summary>Human-readable forms for the default views (Taltun.format.ps1xml calls these).</summary>
public static class Display
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary>1536 → "1.5 KiB".</summary>
    public static string Bytes(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    /// <summary>How long ago, like wg show: "42s ago", "3m 5s ago", "2h 1m ago", "4d 2h ago", or "never" for no time at all.</summary>
    public static string Age(TimeSpan? elapsed)
    {
        if (elapsed is not { } age)
        {
            return "never";
        }

        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalMinutes < 1 ? $"{(int)age.TotalSeconds}s ago"
            : age.TotalHours < 1 ? $"{age.Minutes}m {age.Seconds}s ago"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours}h {age.Minutes}m ago"
            : $"{(int)age.TotalDays}d {age.Hours}h ago";
    }
}
