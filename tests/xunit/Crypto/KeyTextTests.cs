using System.Security.Cryptography;
using Taltun.Crypto;

namespace Taltun.Tests.Crypto;

public class KeyTextTests
{
    [Fact]
    public void Base64AndHexOfTheSameKeyParseToTheSameBytes()
    {
        byte[] raw = RandomNumberGenerator.GetBytes(32);
        var fromBase64 = new byte[32];
        var fromHex = new byte[32];

        KeyText.Parse(Convert.ToBase64String(raw), fromBase64);
        KeyText.Parse(Convert.ToHexString(raw), fromHex);

        Assert.Equal(raw, fromBase64);
        Assert.Equal(raw, fromHex);
    }

    [Fact]
    public void PrintedFormsRoundTrip()
    {
        using var key = PrivateKey.Generate();

        using var viaBase64 = PrivateKey.Parse(key.ToBase64());
        using var viaHex = PrivateKey.Parse(key.ToHex());

        Assert.Equal(key, viaBase64);
        Assert.Equal(key, viaHex);
        Assert.Equal(44, key.ToBase64().Length);
        Assert.Matches("^[0-9a-f]{64}$", key.ToHex());
        Assert.Equal(key.PublicKey, PublicKey.Parse(key.PublicKey.ToHex()));
    }

    [Fact]
    public void SurroundingWhitespaceIsIgnored()
    {
        // Keys read from files (wg genkey > key) end in a newline.
        using var key = PrivateKey.Generate();
        using var parsed = PrivateKey.Parse("  " + key.ToBase64() + "\n");
        Assert.Equal(key, parsed);
    }

    [Theory]
    [InlineData("", "The key is empty.")]
    [InlineData("abc", "The key has 3 characters.")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not valid base64")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", "not valid base64")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*A=", "not valid base64")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000", "not all hex digits")]
    [InlineData("000000000000000000000000000000000000000000000000000000000000000", "63 characters")]
    public void MalformedKeysAreRejectedWithAReasonThatDoesNotQuoteThem(string text, string expectedReason)
    {
        var e = Assert.Throws<KeyFormatException>(() => PublicKey.Parse(text));

        Assert.Contains(expectedReason, e.Message);
        Assert.Contains("44 base64 characters", e.Message);
        Assert.Contains("64 hex digits", e.Message);
        if (text.Length > 3)
        {
            Assert.DoesNotContain(text, e.Message);
        }
    }

    [Fact]
    public void SecretsAreRedactedInToString()
    {
        using var key = PrivateKey.Generate();
        using var psk = PresharedKey.Generate();

        Assert.DoesNotContain(key.ToBase64(), key.ToString());
        Assert.DoesNotContain(key.ToHex(), key.ToString());
        Assert.DoesNotContain(psk.ToBase64(), psk.ToString());
        Assert.Equal(key.PublicKey.ToBase64(), key.PublicKey.ToString());
    }

    [Fact]
    public void DisposingAPrivateKeyZeroesIt()
    {
        var key = PrivateKey.Generate();
        key.Dispose();
        Assert.Equal(new string('0', 64), key.ToHex());
    }
}
