using System.Security.Cryptography;

namespace Taltun.Crypto;

/// <summary>
/// Curve25519 (RFC 7748). Agreements run on raw keys through libsodium (<see cref="Sodium"/>):
/// a handshake does three or four of them, and importing keys into NSec's guarded memory for each
/// would cost more than the arithmetic. Thread-safe (no state).
/// </summary>
public static unsafe class X25519
{
    /// <summary>Clears and sets the bits RFC 7748 names, as <c>wg genkey</c> does.</summary>
    public static void Clamp(Span<byte> privateKey)
    {
        privateKey[0] &= 248;
        privateKey[31] = (byte)((privateKey[31] & 127) | 64);
    }

    /// <summary>The public key of a private key; the private key is clamped first, as WireGuard does.</summary>
    public static PublicKey PublicKeyOf(ReadOnlySpan<byte> privateKey)
    {
        Span<byte> raw = stackalloc byte[Key32.Size];
        PublicKeyOf(privateKey, raw);
        return new PublicKey(raw);
    }

    /// <summary>Writes the public key of <paramref name="privateKey"/> into <paramref name="publicKey"/>.</summary>
    internal static void PublicKeyOf(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        if (publicKey.Length != Key32.Size)
        {
            throw new ArgumentException("An X25519 public key is 32 bytes.", nameof(publicKey));
        }

        Span<byte> clamped = stackalloc byte[Key32.Size];
        try
        {
            Clamped(privateKey, clamped);
            fixed (byte* q = publicKey, n = clamped)
            {
                if (Sodium.ScalarMultBase(q, n) != 0)
                {
                    // Only a zero result is refused, and a clamped scalar never gives one.
                    throw new CryptographicException("libsodium refused an X25519 base-point multiplication.");
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clamped);
        }
    }

    /// <summary>
    /// Writes X25519(privateKey, publicKey) into <paramref name="sharedSecret"/>. Returns false when
    /// the peer's key is a low-order point (the result would be all zeros), which a handshake must reject.
    /// </summary>
    public static bool Agree(ReadOnlySpan<byte> privateKey, PublicKey publicKey, Span<byte> sharedSecret) =>
        Agree(privateKey, publicKey.Span, sharedSecret);

    internal static bool Agree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, Span<byte> sharedSecret)
    {
        if (publicKey.Length != Key32.Size || sharedSecret.Length != Key32.Size)
        {
            throw new ArgumentException("X25519 keys and shared secrets are 32 bytes.");
        }

        Span<byte> clamped = stackalloc byte[Key32.Size];
        try
        {
            Clamped(privateKey, clamped);
            fixed (byte* q = sharedSecret, n = clamped, p = publicKey)
            {
                if (Sodium.ScalarMult(q, n, p) == 0)
                {
                    return true;
                }
            }

            sharedSecret.Clear();
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clamped);
        }
    }

    private static void Clamped(ReadOnlySpan<byte> privateKey, Span<byte> clamped)
    {
        Sodium.EnsureInitialized();
        if (privateKey.Length != Key32.Size)
        {
            throw new ArgumentException("An X25519 private key is 32 bytes.", nameof(privateKey));
        }

        privateKey.CopyTo(clamped);
        Clamp(clamped);
    }
}
