namespace Taltun.Interop;

/// <summary>What <see cref="ReadinessWatch.Wait"/> found ready.</summary>
[Flags]
internal enum Readiness
{
    None = 0,
    First = 1,
    Second = 2,
    Both = First | Second,
    Shutdown = 4,

    /// <summary>The third, optional descriptor (a packet loop's keep_warm timer).</summary>
    Third = 8,
}
