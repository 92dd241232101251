using Taltun.Crypto;

namespace Taltun.Protocol;

/// <summary>
/// What changes while the core runs, as <c>wg set</c> changes it: the static key, and a peer's
/// preshared key and persistent keepalive. A peer's sessions survive a change to its own
/// settings; a new static key ends every session, since peers now expect the new identity.
/// </summary>
internal sealed partial class ProtocolCore
{
    /// <summary>
    /// Replaces the static key pair: every peer's static-static secret is computed again, its
    /// handshake in progress is dropped and its sessions erased, so the next packet for it starts
    /// a handshake under the new key (wireguard-go expires the sessions the same way). A
    /// handshake another thread completes meanwhile with the old key fails at the peer and is retried.
    /// </summary>
    public void SetPrivateKey(PrivateKey privateKey)
    {
        var local = new LocalIdentity(privateKey);
        Volatile.Write(ref _cookieChecker, new CookieChecker(local.PublicKey, _time));
        Volatile.Write(ref _local, local);
        foreach (Peer peer in _peers.Values)
        {
            lock (peer.HandshakeLock)
            {
                X25519.Agree(privateKey.Span, peer.PublicKey, peer.StaticStatic);
                AbandonHandshakeLocked(peer);
            }

            DestroyKeypairs(peer.TakeAllKeypairs());
        }
    }

    /// <summary>A new preshared key (or none) for the peer's next handshake; its current sessions go on.</summary>
    public static void SetPresharedKey(Peer peer, PresharedKey? presharedKey)
    {
        lock (peer.HandshakeLock)
        {
            peer.PresharedKey = presharedKey;
        }
    }

    /// <summary>
    /// A new persistent keepalive interval (zero: off). Turned on, a keepalive goes out at once,
    /// as wireguard-go sends one, so a peer behind NAT is reachable without waiting an interval.
    /// </summary>
    public void SetPersistentKeepalive(Peer peer, TimeSpan interval)
    {
        TimeSpan before = peer.PersistentKeepalive;
        peer.PersistentKeepalive = interval;
        if (before == TimeSpan.Zero && interval > TimeSpan.Zero)
        {
            TimeSpan now = Now;
            peer.Timers.OnAuthenticatedPacketTraversal(now - interval, interval);
            _scheduler?.Wake(peer, now);
        }
    }
}
