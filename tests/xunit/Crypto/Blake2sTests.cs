using System.Text;
using CsCheck;
using Org.BouncyCastle.Crypto.Digests;
using Taltun.Crypto;

namespace Taltun.Tests.Crypto;

/// <summary>
/// BLAKE2s from RFC 7693 (appendix B and the reference test vectors); HMAC and HKDF values were
/// computed independently with CPython's hashlib/hmac (block size 64), which WireGuard's
/// constructions match.
/// </summary>
public class Blake2sTests
{
    [Theory]
    [InlineData("abc", "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982")]
    [InlineData("", "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9")]
    public void HashMatchesRfc7693(string input, string expected)
    {
        var output = new byte[32];
        Blake2s.Hash(output, Encoding.ASCII.GetBytes(input));
        Assert.Equal(expected, Hex.Of(output));
    }

    [Fact]
    public void HashOfPartsEqualsHashOfTheirConcatenation()
    {
        var split = new byte[32];
        var whole = new byte[32];
        Blake2s.Hash(split, "ab"u8, "c"u8);
        Blake2s.Hash(whole, "abc"u8);
        Assert.Equal(whole, split);
    }

    [Theory]
    [InlineData("", "9536f9b267655743dee97b8a670f9f53")]
    [InlineData("000102", "1e2a79436a7796a3e9826bfedf07659f")]
    public void KeyedMacHas16ByteOutput(string inputHex, string expected)
    {
        var output = new byte[16];
        Blake2s.Mac(output, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), Hex.Bytes(inputHex));
        Assert.Equal(expected, Hex.Of(output));
    }

    [Fact]
    public void HmacMatchesReference()
    {
        var output = new byte[32];
        Blake2s.Hmac(output, "key"u8, "The quick brown fox jumps over the lazy dog"u8);
        Assert.Equal("f93215bb90d4af4c3061cd932fb169fb8bb8a91d0b4022baea1271e1323cd9a0", Hex.Of(output));
    }

    [Fact]
    public void HmacHashesKeysLongerThanABlock()
    {
        var output = new byte[32];
        Blake2s.Hmac(output, Enumerable.Range(0, 100).Select(i => (byte)i).ToArray(), "Taltun"u8);
        Assert.Equal("2b909a93d73aad839988789ef0404d8d3d81395b689e3a2d97595807197d18c9", Hex.Of(output));
    }

    [Fact]
    public void KdfMatchesNoiseHkdf()
    {
        var t1 = new byte[32];
        var t2 = new byte[32];
        var t3 = new byte[32];
        Blake2s.Kdf(new byte[32], Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), t1, t2, t3);

        Assert.Equal("d36c68692b681300676744097a482d8e0161a95bc9ed309b17bd78eafa8c49ae", Hex.Of(t1));
        Assert.Equal("d1c083372bc55d11d5b9173caae8f0322d1de371ec5cb4d7ee1b24b682e21202", Hex.Of(t2));
        Assert.Equal("fcc1b8326d2a018ae1f29650e9cae0efad7c000117ce598066dea1e7356080c8", Hex.Of(t3));
    }

    [Fact]
    public void KdfMayWriteOverItsOwnChainingKey()
    {
        // The handshake updates its chaining key in place: ck = KDF1(ck, input).
        var chainingKey = new byte[32];
        Blake2s.Kdf(chainingKey, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), chainingKey);
        Assert.Equal("d36c68692b681300676744097a482d8e0161a95bc9ed309b17bd78eafa8c49ae", Hex.Of(chainingKey));
    }

    [Fact]
    public void StateMatchesBouncyCastleForAnyLengthsKeysAndChunking()
    {
        // Block boundaries are where a BLAKE2s goes wrong: lengths straddle 64 and 128, and the
        // input arrives in random pieces as the handshake's concatenations feed it.
        var cases =
            from data in Gen.Byte.Array[0, 300]
            from key in Gen.Byte.Array[0, 32]
            from outputLength in Gen.Int[1, 32]
            from cut1 in Gen.Int[0, 300]
            from cut2 in Gen.Int[0, 300]
            select (data, key, outputLength, cut1, cut2);

        cases.Sample(c =>
        {
            int first = Math.Min(c.cut1, c.data.Length);
            int second = Math.Max(first, Math.Min(c.cut2, c.data.Length));
            var state = new Blake2sState(c.outputLength, c.key);
            state.Update(c.data.AsSpan(0, first));
            state.Update(c.data.AsSpan(first, second - first));
            state.Update(c.data.AsSpan(second));
            var ours = new byte[c.outputLength];
            state.Finish(ours);

            var reference = c.key.Length == 0
                ? new Blake2sDigest(c.outputLength * 8)
                : new Blake2sDigest(c.key, c.outputLength, null, null);
            reference.BlockUpdate(c.data, 0, c.data.Length);
            var expected = new byte[c.outputLength];
            reference.DoFinal(expected, 0);
            Assert.Equal(Hex.Of(expected), Hex.Of(ours));
        }, iter: 2000);
    }

    [Fact]
    public void HashingAllocatesNothing()
    {
        var output = new byte[32];
        var input = new byte[200];
        Blake2s.Kdf(output, input, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Blake2s.Kdf(output, input, output, output);
            Blake2s.Mac(output.AsSpan(0, 16), output, input);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
