namespace Taltun.Protocol;

/// <summary>Counts drops by reason. Thread-safe (atomic increments); reads are a snapshot.</summary>
public sealed class DropCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<DropReason>().Length];

    public void Add(DropReason reason) => Interlocked.Increment(ref _counts[(int)reason]);

    public void Add(DropReason reason, int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _counts[(int)reason], count);
        }
    }

    public long this[DropReason reason] => Interlocked.Read(ref _counts[(int)reason]);

    public long Total
    {
        get
        {
            long total = 0;
            for (int i = 1; i < _counts.Length; i++)
            {
                total += Interlocked.Read(ref _counts[i]);
            }

            return total;
        }
    }

    /// <summary>The non-zero counts, by reason.</summary>
    public IReadOnlyDictionary<DropReason, long> Snapshot()
    {
        var result = new Dictionary<DropReason, long>();
        for (int i = 1; i < _counts.Length; i++)
        {
            long count = Interlocked.Read(ref _counts[i]);
            if (count > 0)
            {
                result[(DropReason)i] = count;
            }
        }

        return result;
    }
}
