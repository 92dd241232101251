using Taltun.Device;
using Taltun.Foundation;

namespace Taltun.Tests.Device;

public sealed class WarmWindowTests
{
    [Fact]
    public void WithoutTrafficTheLoopNeverWakes()
    {
        var window = new WarmWindow();

        Assert.Equal(-1, window.NextTimeout(0, 0));
        Assert.Equal(-1, window.NextTimeout(0, 5_000));
    }

    [Fact]
    public void AfterAPacketTheLoopWakesUntilTheWindowCloses()
    {
        var window = new WarmWindow();
        const long start = 123_456;

        Assert.Equal(Tuning.KeepWarmIntervalMilliseconds, window.NextTimeout(1, start));
        Assert.Equal(Tuning.KeepWarmIntervalMilliseconds, window.NextTimeout(1, start + Tuning.KeepWarmWindowMilliseconds - 1));
        Assert.Equal(-1, window.NextTimeout(1, start + Tuning.KeepWarmWindowMilliseconds));
        Assert.Equal(-1, window.NextTimeout(1, start + (10 * Tuning.KeepWarmWindowMilliseconds)));
    }

    [Fact]
    public void EachNewPacketOpensTheWindowAgainFromItsTime()
    {
        var window = new WarmWindow();

        window.NextTimeout(1, 1_000);
        Assert.Equal(Tuning.KeepWarmIntervalMilliseconds, window.NextTimeout(3, 1_900));
        Assert.Equal(Tuning.KeepWarmIntervalMilliseconds, window.NextTimeout(3, 1_900 + Tuning.KeepWarmWindowMilliseconds - 1));
        Assert.Equal(-1, window.NextTimeout(3, 1_900 + Tuning.KeepWarmWindowMilliseconds));
        Assert.Equal(Tuning.KeepWarmIntervalMilliseconds, window.NextTimeout(4, 50_000));
    }
}
