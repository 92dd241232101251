using Taltun.Device;
using Taltun.Foundation;

namespace Taltun.Tests.Device;

public sealed class WarmWindowTests
{
    [Fact]
    public void WithoutTrafficTheWindowNeverOpens()
    {
        var window = new WarmWindow();

        Assert.False(window.Carried(0, 0));
        Assert.False(window.IsOpen(0));
        Assert.False(window.IsOpen(5_000));
    }

    [Fact]
    public void APacketOpensTheWindowForItsLength()
    {
        var window = new WarmWindow();
        const long start = 123_456;

        Assert.True(window.Carried(1, start));
        Assert.True(window.IsOpen(start + Tuning.KeepWarmWindowMilliseconds - 1));
        Assert.False(window.IsOpen(start + Tuning.KeepWarmWindowMilliseconds));
        Assert.False(window.Carried(1, start + 10));
        Assert.False(window.IsOpen(start + (10 * Tuning.KeepWarmWindowMilliseconds)));
    }

    [Fact]
    public void EachNewPacketOpensTheWindowAgainFromItsTime()
    {
        var window = new WarmWindow();

        Assert.True(window.Carried(1, 1_000));
        Assert.True(window.Carried(3, 1_900));
        Assert.True(window.IsOpen(1_900 + Tuning.KeepWarmWindowMilliseconds - 1));
        Assert.False(window.IsOpen(1_900 + Tuning.KeepWarmWindowMilliseconds));
        Assert.True(window.Carried(4, 50_000));
        Assert.True(window.IsOpen(50_001));
    }
}
