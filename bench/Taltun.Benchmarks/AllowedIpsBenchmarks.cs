using System.Net;
using BenchmarkDotNet.Attributes;
using Taltun.Routing;

namespace Taltun.Benchmarks;

/// <summary>Longest-prefix lookups, and a change, in a table of 10,000 peers (a /32 each, plus their /24 subnets and a default half).</summary>
[MemoryDiagnoser]
public class AllowedIpsBenchmarks
{
    private readonly AllowedIps<object> _table = new();
    private readonly byte[][] _addresses = new byte[1024][];
    private readonly object _extra = new();
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < 10_000; i++)
        {
            var peer = new object();
            _table.Insert(new IPNetwork(new IPAddress(new byte[] { 10, (byte)(i >> 8), (byte)i, 1 }), 32), peer);
            if (i % 10 == 0)
            {
                _table.Insert(new IPNetwork(new IPAddress(new byte[] { 172, 16, (byte)(i / 10), 0 }), 24), peer);
            }
        }

        _table.Insert(IPNetwork.Parse("0.0.0.0/1"), new object());
        var random = new Random(1);
        for (int i = 0; i < _addresses.Length; i++)
        {
            int n = random.Next(10_000);
            _addresses[i] = (i % 3) switch
            {
                0 => [10, (byte)(n >> 8), (byte)n, 1],
                1 => [172, 16, (byte)(n / 10), 7],
                _ => [100, 64, (byte)n, 9],
            };
        }
    }

    [Benchmark(Description = "lookup, 10,000 peers")]
    public object? Lookup() => _table.Lookup(_addresses[_next++ & 1023]);

    [Benchmark(Description = "a peer's /32 added and removed, 10,000 peers")]
    public bool AddAndRemove()
    {
        var prefix = new IPNetwork(new IPAddress(new byte[] { 10, 200, (byte)(_next >> 8), (byte)_next++ }), 32);
        _table.Insert(prefix, _extra);
        return _table.Remove(prefix, _extra);
    }
}
