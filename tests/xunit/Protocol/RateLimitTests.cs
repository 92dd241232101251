using Taltun.Protocol;
using static Taltun.Tests.Protocol.CorePair;

namespace Taltun.Tests.Protocol;

public class RateLimitTests
{
    [Fact]
    public void UnderLoadASourceGetsABurstOfFiveThenTwentyASecond()
    {
        using var pair = new CorePair();
        pair.B.UnderLoad = true;
        byte[] cookieReply = Deliver(pair.B, Initiation(pair.A, pair.PeerB), SourceA).Bytes!;
        Deliver(pair.A, cookieReply, SourceB);
        pair.Clock.Advance(TimeSpan.FromSeconds(6));
        byte[] initiation = Initiation(pair.A, pair.PeerB);

        // The same message eight times at once: five pass the limiter (the first is answered, the
        // others are replays), the rest are rate limited before any decryption.
        var reasons = Enumerable.Range(0, 8).Select(_ => Deliver(pair.B, initiation, SourceA).Result).ToList();
        Assert.Equal(ResultKind.WriteToNetwork, reasons[0].Kind);
        Assert.All(reasons.Skip(1).Take(4), r => Assert.Equal(DropReason.ReplayedInitiation, r.Reason));
        Assert.All(reasons.Skip(5), r => Assert.Equal(DropReason.RateLimited, r.Reason));

        // 50 ms buys one more token.
        pair.Clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(DropReason.ReplayedInitiation, Deliver(pair.B, initiation, SourceA).Result.Reason);
        Assert.Equal(DropReason.RateLimited, Deliver(pair.B, initiation, SourceA).Result.Reason);
    }

    [Fact]
    public void WithoutLoadThereIsNoLimit()
    {
        using var pair = new CorePair();
        byte[] initiation = Initiation(pair.A, pair.PeerB);
        Deliver(pair.B, initiation, SourceA);

        var reasons = Enumerable.Range(0, 10).Select(_ => Deliver(pair.B, initiation, SourceA).Result.Reason);

        Assert.All(reasons, r => Assert.Equal(DropReason.ReplayedInitiation, r));
    }
}
