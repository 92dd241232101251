namespace Taltun.Protocol;

/// <summary>
/// Limits handshake messages per source IP while the responder is under load, after mac2 has
/// proved the address is real: a token bucket of 20 messages a second with a burst of 5, as
/// wireguard-go's ratelimiter does. Entries idle for a second are swept. Thread-safe (one lock;
/// handshake path only, and only under load).
/// </summary>
internal sealed class RateLimiter
{
    public const int PacketsPerSecond = 20;
    public const int Burst = 5;

    private static readonly TimeSpan Cost = TimeSpan.FromSeconds(1.0 / PacketsPerSecond);
    private static readonly TimeSpan MaxTokens = Cost * Burst;
    private static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(1);

    private readonly Dictionary<UInt128, Bucket> _buckets = [];
    private TimeSpan _lastSweep;

    /// <summary>Takes one token for <paramref name="address"/> (4 or 16 bytes); false if it has none left.</summary>
    public bool Allow(ReadOnlySpan<byte> address, TimeSpan now)
    {
        UInt128 key = Key(address);
        lock (_buckets)
        {
            if (now - _lastSweep > IdleAfter)
            {
                Sweep(now);
            }

            if (!_buckets.TryGetValue(key, out Bucket bucket))
            {
                _buckets[key] = new Bucket(now, MaxTokens - Cost);
                return true;
            }

            TimeSpan tokens = bucket.Tokens + (now - bucket.Last);
            if (tokens > MaxTokens)
            {
                tokens = MaxTokens;
            }

            bool allowed = tokens >= Cost;
            _buckets[key] = new Bucket(now, allowed ? tokens - Cost : tokens);
            return allowed;
        }
    }

    private static UInt128 Key(ReadOnlySpan<byte> address)
    {
        Span<byte> padded = stackalloc byte[16];
        padded.Clear();
        address[..Math.Min(address.Length, 16)].CopyTo(padded[(16 - Math.Min(address.Length, 16))..]);
        // IPv4 and IPv6 keys must not collide: mark IPv4 the way IPv4-mapped IPv6 addresses do.
        if (address.Length == 4)
        {
            padded[10] = padded[11] = 0xff;
        }

        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(padded);
    }

    private void Sweep(TimeSpan now)
    {
        _lastSweep = now;
        foreach (var (key, bucket) in _buckets)
        {
            if (now - bucket.Last > IdleAfter)
            {
                _buckets.Remove(key);
            }
        }
    }

    private readonly record struct Bucket(TimeSpan Last, TimeSpan Tokens);
}
