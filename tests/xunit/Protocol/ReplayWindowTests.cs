using CsCheck;
using Taltun.Protocol;

namespace Taltun.Tests.Protocol;

public class ReplayWindowTests
{
    /// <summary>The obvious model: every counter seen, and the highest.</summary>
    private sealed class NaiveWindow
    {
        private readonly HashSet<ulong> _seen = [];
        private ulong _highest;
        private bool _any;

        public bool TryAccept(ulong counter, ulong limit)
        {
            if (counter >= limit || (_any && counter + ReplayWindow.WindowSize < _highest) || _seen.Contains(counter))
            {
                return false;
            }

            _seen.Add(counter);
            if (!_any || counter > _highest)
            {
                _highest = counter;
            }

            _any = true;
            return true;
        }
    }

    [Fact]
    public void MatchesANaiveReferenceOnRandomCounterSequences()
    {
        // Counters cluster around a moving front, with jumps past the window, duplicates and stragglers.
        var counters = Gen.Frequency(
                (6, Gen.ULong[0, 300]),
                (2, Gen.ULong[0, 20_000]),
                (1, Gen.ULong[ReplayWindow.WindowSize - 5, ReplayWindow.WindowSize + 5]))
            .Array[1, 400];

        counters.Sample(sequence =>
        {
            var window = new ReplayWindow();
            var naive = new NaiveWindow();
            ulong front = 0;
            foreach (ulong step in sequence)
            {
                front += step % 7;
                ulong counter = step % 3 == 0 ? front : (step > front ? step : front - step);
                Assert.Equal(naive.TryAccept(counter, ulong.MaxValue), window.TryAccept(counter, ulong.MaxValue));
            }
        }, iter: 300);
    }

    [Fact]
    public void AcceptsEachCounterOnce()
    {
        var window = new ReplayWindow();
        for (ulong c = 0; c < 10_000; c++)
        {
            Assert.True(window.TryAccept(c, ulong.MaxValue));
            Assert.False(window.TryAccept(c, ulong.MaxValue));
        }
    }

    [Fact]
    public void RejectsCountersOlderThanTheWindowAndAtTheLimit()
    {
        var window = new ReplayWindow();
        Assert.True(window.TryAccept(ReplayWindow.WindowSize + 100, ulong.MaxValue));
        Assert.False(window.TryAccept(99, ulong.MaxValue));
        Assert.True(window.TryAccept(100, ulong.MaxValue));
        Assert.False(window.TryAccept(500, 500));
        Assert.True(ReplayWindow.WindowSize >= 2048);
    }
}
