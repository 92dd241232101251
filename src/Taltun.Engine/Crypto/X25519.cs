using NSec.Cryptography;

namespace Taltun.Crypto;

/// <summary>
/// Curve25519 (RFC 7748) through NSec/libsodium. NSec hides raw shared secrets by default; the
/// Noise handshake needs them as HKDF input, so agreements are exported once into a caller
/// buffer. Thread-safe (no state).
/// </summary>
internal static class X25519
{
    private static readonly KeyAgreementAlgorithm Algorithm = KeyAgreementAlgorithm.X25519;

    /// <summary>Clears and sets the bits RFC 7748 names, as <c>wg genkey</c> does.</summary>
    public static void Clamp(Span<byte> privateKey)
    {
        privateKey[0] &= 248;
        privateKey[31] = (byte)((privateKey[31] & 127) | 64);
    }

    /// <summary>The public key of a private key; the private key is clamped first, as WireGuard does.</summary>
    public static PublicKey PublicKeyOf(ReadOnlySpan<byte> privateKey)
    {
        using Key key = ImportPrivate(privateKey);
        return PublicKeyOf(key);
    }

    internal static PublicKey PublicKeyOf(Key key)
    {
        Span<byte> raw = stackalloc byte[Key32.Size];
        key.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, raw, out _);
        return new PublicKey(raw);
    }

    /// <summary>
    /// Writes X25519(privateKey, publicKey) into <paramref name="sharedSecret"/>. Returns false when
    /// the peer's key is a low-order point (the result would be all zeros), which a handshake must reject.
    /// </summary>
    public static bool Agree(ReadOnlySpan<byte> privateKey, PublicKey publicKey, Span<byte> sharedSecret)
    {
        using Key key = ImportPrivate(privateKey);
        return Agree(key, publicKey, sharedSecret);
    }

    internal static bool Agree(Key privateKey, PublicKey publicKey, Span<byte> sharedSecret)
    {
        if (!NSec.Cryptography.PublicKey.TryImport(Algorithm, publicKey.Span, KeyBlobFormat.RawPublicKey, out NSec.Cryptography.PublicKey? peer))
        {
            return false;
        }

        using SharedSecret? secret = Algorithm.Agree(privateKey, peer!, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        if (secret is null)
        {
            sharedSecret.Clear();
            return false;
        }

        return secret.TryExport(SharedSecretBlobFormat.RawSharedSecret, sharedSecret, out int written) && written == Key32.Size;
    }

    internal static Key ImportPrivate(ReadOnlySpan<byte> privateKey)
    {
        Span<byte> clamped = stackalloc byte[Key32.Size];
        privateKey.CopyTo(clamped);
        Clamp(clamped);
        try
        {
            return Key.Import(Algorithm, clamped, KeyBlobFormat.RawPrivateKey);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(clamped);
        }
    }
}
