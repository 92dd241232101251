namespace Taltun.PowerShell;

/// <summary>An event from a tunnel's engine, as Get-TaltunLog returns it.</summary>
public sealed class TaltunLogEntry
{
    public required string Tunnel { get; init; }

    /// <summary>Local time.</summary>
    public DateTime Time { get; init; }

    /// <summary>Verbose, Information, Warning or Error.</summary>
    public required string Level { get; init; }

    public required string Message { get; init; }

    public override string ToString() => $"{Time:HH:mm:ss} {Level} {Message}";
}
