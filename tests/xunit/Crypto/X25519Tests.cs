using Taltun.Crypto;

namespace Taltun.Tests.Crypto;

/// <summary>RFC 7748 section 6.1 and WireGuard's clamping rules, through Taltun's key types.</summary>
public class X25519Tests
{
    private const string AlicePrivate = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private const string AlicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    private const string BobPrivate = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
    private const string BobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    private const string Shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    [Fact]
    public void PublicKeysMatchRfc7748()
    {
        using var alice = PrivateKey.Parse(AlicePrivate);
        using var bob = PrivateKey.Parse(BobPrivate);

        Assert.Equal(AlicePublic, alice.PublicKey.ToHex());
        Assert.Equal(BobPublic, bob.PublicKey.ToHex());
    }

    [Fact]
    public void AgreementMatchesRfc7748BothWays()
    {
        var fromAlice = new byte[32];
        var fromBob = new byte[32];

        Assert.True(X25519.Agree(Hex.Bytes(AlicePrivate), PublicKey.Parse(BobPublic), fromAlice));
        Assert.True(X25519.Agree(Hex.Bytes(BobPrivate), PublicKey.Parse(AlicePublic), fromBob));

        Assert.Equal(Shared, Hex.Of(fromAlice));
        Assert.Equal(Shared, Hex.Of(fromBob));
    }

    [Fact]
    public void LowOrderPeerKeysAreRefused()
    {
        var output = new byte[32];
        using var key = PrivateKey.Generate();

        Assert.False(X25519.Agree(key.Span, new PublicKey(new byte[32]), output));
        Assert.Equal(new byte[32], output);
    }

    [Fact]
    public void GeneratedKeysAreClampedLikeWgGenkey()
    {
        for (int i = 0; i < 50; i++)
        {
            using var key = PrivateKey.Generate();
            byte[] raw = Hex.Bytes(key.ToHex());
            Assert.Equal(0, raw[0] & 7);
            Assert.Equal(0, raw[31] & 128);
            Assert.Equal(64, raw[31] & 64);
        }
    }

    [Fact]
    public void AnUnclampedPrivateKeyHasThePublicKeyOfItsClampedForm()
    {
        // wg pubkey clamps its input, so both forms of one key name the same peer.
        byte[] raw = Enumerable.Repeat((byte)0xff, 32).ToArray();
        byte[] clamped = (byte[])raw.Clone();
        X25519.Clamp(clamped);

        Assert.Equal(X25519.PublicKeyOf(clamped), X25519.PublicKeyOf(raw));
        Assert.Equal(0xf8, clamped[0]);
        Assert.Equal(0x7f, clamped[31]);
    }
}
