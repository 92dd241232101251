namespace Taltun.Protocol;

/// <summary>
/// Told by the core when a peer needs <see cref="ProtocolCore.Tick"/> sooner than its scheduler
/// may have planned: a timer armed, a handshake wanted, packets ready to leave a staging queue.
/// The device's control thread implements it, so no thread has to walk every peer on a clock.
/// Called from any thread, the data paths included: it must not block.
/// </summary>
internal interface IPeerScheduler
{
    /// <summary>Tick <paramref name="peer"/> at <paramref name="at"/> (the core's clock) or earlier.</summary>
    void Wake(Peer peer, TimeSpan at);
}
