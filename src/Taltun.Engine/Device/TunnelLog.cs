namespace Taltun.Device;

public enum TunnelLogLevel
{
    Verbose,
    Information,
    Warning,
    Error,
}

/// <summary>One event of a tunnel's life: a handshake, a roam, a failure. Never contains key material beyond public keys.</summary>
public sealed record TunnelLogEntry(DateTimeOffset Time, TunnelLogLevel Level, string Message);

/// <summary>
/// A tunnel's recent events: the last <see cref="Capacity"/> are kept for whoever asks later
/// (a background tunnel's log), and <see cref="Written"/> tells listeners (a foreground cmdlet)
/// as they happen. Thread-safe. Listeners run on the engine's threads and must return quickly.
/// </summary>
public sealed class TunnelLog
{
    public const int Capacity = 1000;

    private readonly Queue<TunnelLogEntry> _entries = new();
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    internal TunnelLog(TimeProvider time) => _time = time;

    public event Action<TunnelLogEntry>? Written;

    /// <summary>The kept entries, oldest first.</summary>
    public IReadOnlyList<TunnelLogEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> and returns the warnings it logged on the calling thread
    /// (not those the data plane logs meanwhile), for a caller to show where the user looks too.
    /// </summary>
    public IReadOnlyList<TunnelLogEntry> WarningsOf(Action action)
    {
        int caller = Environment.CurrentManagedThreadId;
        var warnings = new List<TunnelLogEntry>();
        void Collect(TunnelLogEntry entry)
        {
            if (entry.Level == TunnelLogLevel.Warning && Environment.CurrentManagedThreadId == caller)
            {
                warnings.Add(entry);
            }
        }

        Written += Collect;
        try
        {
            action();
        }
        finally
        {
            Written -= Collect;
        }

        return warnings;
    }

    internal void Write(TunnelLogLevel level, string message)
    {
        var entry = new TunnelLogEntry(_time.GetUtcNow(), level, message);
        lock (_lock)
        {
            if (_entries.Count == Capacity)
            {
                _entries.Dequeue();
            }

            _entries.Enqueue(entry);
        }

        try
        {
            Written?.Invoke(entry);
        }
        catch (Exception)
        {
            // A listener's failure must not stop the data plane that reported the event.
        }
    }

    internal void Verbose(string message) => Write(TunnelLogLevel.Verbose, message);

    internal void Information(string message) => Write(TunnelLogLevel.Information, message);

    internal void Warning(string message) => Write(TunnelLogLevel.Warning, message);

    internal void Error(string message) => Write(TunnelLogLevel.Error, message);
}
