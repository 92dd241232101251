using System.Buffers.Binary;

namespace Taltun.Crypto;

/// <summary>
/// The AEADs of the protocol on raw keys through libsodium (<see cref="Sodium"/>):
/// ChaCha20-Poly1305 (RFC 8439) with WireGuard's nonce (32 zero bits, then the 64-bit counter
/// little-endian), and XChaCha20-Poly1305 for cookie replies. Ciphertext and plaintext may start
/// at the same byte (in place). Thread-safe.
/// </summary>
internal static unsafe class ChaChaPoly
{
    public const int TagSize = 16;
    public const int NonceSize = 12;
    public const int XNonceSize = 24;
    public const int KeySize = 32;

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (plaintext length + 16).</summary>
    public static void Seal(ReadOnlySpan<byte> key, ulong counter, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> ciphertext)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        WriteNonce(nonce, counter);
        Check(key, nonce, NonceSize, ciphertext.Length >= plaintext.Length + TagSize);
        fixed (byte* c = ciphertext, m = plaintext, ad = associatedData, n = nonce, k = key)
        {
            Succeeded(Sodium.ChaCha20Poly1305Encrypt(c, null, m, (ulong)plaintext.Length, ad, (ulong)associatedData.Length, null, n, k));
        }
    }

    /// <summary>Decrypts and authenticates into <paramref name="plaintext"/> (ciphertext length − 16); false, and nothing written, on a bad tag.</summary>
    public static bool Open(ReadOnlySpan<byte> key, ulong counter, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        if (ciphertext.Length < TagSize)
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[NonceSize];
        WriteNonce(nonce, counter);
        Check(key, nonce, NonceSize, plaintext.Length >= ciphertext.Length - TagSize);
        fixed (byte* m = plaintext, c = ciphertext, ad = associatedData, n = nonce, k = key)
        {
            return Sodium.ChaCha20Poly1305Decrypt(m, null, null, c, (ulong)ciphertext.Length, ad, (ulong)associatedData.Length, n, k) == 0;
        }
    }

    public static void XSeal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> ciphertext)
    {
        Check(key, nonce, XNonceSize, ciphertext.Length >= plaintext.Length + TagSize);
        fixed (byte* c = ciphertext, m = plaintext, ad = associatedData, n = nonce, k = key)
        {
            Succeeded(Sodium.XChaCha20Poly1305Encrypt(c, null, m, (ulong)plaintext.Length, ad, (ulong)associatedData.Length, null, n, k));
        }
    }

    public static bool XOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        if (ciphertext.Length < TagSize)
        {
            return false;
        }

        Check(key, nonce, XNonceSize, plaintext.Length >= ciphertext.Length - TagSize);
        fixed (byte* m = plaintext, c = ciphertext, ad = associatedData, n = nonce, k = key)
        {
            return Sodium.XChaCha20Poly1305Decrypt(m, null, null, c, (ulong)ciphertext.Length, ad, (ulong)associatedData.Length, n, k) == 0;
        }
    }

    // libsodium trusts its pointers: every length is checked here, before a byte is touched.
    private static void Check(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, int nonceSize, bool roomForOutput)
    {
        Sodium.EnsureInitialized();
        if (key.Length != KeySize || nonce.Length != nonceSize || !roomForOutput)
        {
            throw new ArgumentException("AEAD key, nonce or output buffer of the wrong size.");
        }
    }

    // Encryption fails only on lengths beyond 2^64 bytes, which no span can have.
    private static void Succeeded(int result)
    {
        if (result != 0)
        {
            throw new System.Security.Cryptography.CryptographicException("libsodium refused to encrypt.");
        }
    }

    private static void WriteNonce(Span<byte> nonce, ulong counter)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], counter);
    }
}
