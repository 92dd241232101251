using System.Text;
using Taltun.Crypto;

namespace Taltun.Tests.Crypto;

/// <summary>
/// RFC 8439 appendix A.5: its nonce starts with four zero bytes, exactly WireGuard's nonce form,
/// so it runs through the transport key with counter 0x0807060504030201.
/// </summary>
public class ChaChaPolyTests
{
    private const string Key = "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0";
    private const ulong Counter = 0x0807060504030201;
    private const string AssociatedData = "f33388860000000000004e91";
    private const string Ciphertext =
        "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c8559797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709b";
    private const string Tag = "eead9d67890cbb22392336fea1851f38";

    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes(
        "Internet-Drafts are draft documents valid for a maximum of six months and may be updated, replaced, or obsoleted by other documents at any time. It is inappropriate to use Internet-Drafts as reference material or to cite them other than as /\u201cwork in progress./\u201d");

    [Fact]
    public void SealMatchesRfc8439()
    {
        var output = new byte[Plaintext.Length + 16];
        ChaChaPoly.Seal(Hex.Bytes(Key), Counter, Plaintext, Hex.Bytes(AssociatedData), output);
        Assert.Equal(Ciphertext + Tag, Hex.Of(output));
    }

    [Fact]
    public void OpenMatchesRfc8439AndRejectsAFlippedBit()
    {
        byte[] sealedBytes = Hex.Bytes(Ciphertext + Tag);
        var output = new byte[Plaintext.Length];

        Assert.True(ChaChaPoly.Open(Hex.Bytes(Key), Counter, sealedBytes, Hex.Bytes(AssociatedData), output));
        Assert.Equal(Plaintext, output);

        sealedBytes[10] ^= 0x01;
        Assert.False(ChaChaPoly.Open(Hex.Bytes(Key), Counter, sealedBytes, Hex.Bytes(AssociatedData), output));
    }

    [Fact]
    public void TransportKeySealsInPlaceLikeTheOneShotForm()
    {
        using var key = new TransportKey(Hex.Bytes(Key));
        var buffer = new byte[Plaintext.Length + 16];
        Plaintext.CopyTo(buffer, 0);

        key.Seal(7, buffer.AsSpan(0, Plaintext.Length), buffer);
        var expected = new byte[buffer.Length];
        ChaChaPoly.Seal(Hex.Bytes(Key), 7, Plaintext, default, expected);
        Assert.Equal(expected, buffer);

        Assert.True(key.Open(7, buffer, buffer));
        Assert.Equal(Plaintext, buffer[..Plaintext.Length]);
    }
}
