namespace Taltun.Benchmarks;

/// <summary>
/// A clock that never moves, so a long benchmark run never crosses RejectAfterTime (180 s) and
/// starts timing handshakes instead of transport.
/// </summary>
internal sealed class FrozenClock : TimeProvider
{
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override long GetTimestamp() => 0;

    public override DateTimeOffset GetUtcNow() => _now;
}
