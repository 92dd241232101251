using System.Buffers.Binary;
using NSec.Cryptography;

namespace Taltun.Crypto;

/// <summary>
/// The AEADs of the protocol over NSec: ChaCha20-Poly1305 (RFC 8439) with WireGuard's nonce
/// (32 zero bits, then the 64-bit counter little-endian), and XChaCha20-Poly1305 for cookie
/// replies. The handshake calls the one-shot forms with raw keys; the data path holds a
/// <see cref="TransportKey"/> so no key is imported per packet. Thread-safe.
/// </summary>
internal static class ChaChaPoly
{
    public const int TagSize = 16;
    public const int NonceSize = 12;

    private static readonly AeadAlgorithm ChaCha = AeadAlgorithm.ChaCha20Poly1305;
    private static readonly AeadAlgorithm XChaCha = AeadAlgorithm.XChaCha20Poly1305;

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (plaintext length + 16); the two may start at the same byte.</summary>
    public static void Seal(ReadOnlySpan<byte> key, ulong counter, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> ciphertext)
    {
        using Key k = ImportKey(ChaCha, key);
        Seal(k, counter, plaintext, associatedData, ciphertext);
    }

    /// <summary>Decrypts and authenticates; false (and nothing trustworthy written) on a bad tag.</summary>
    public static bool Open(ReadOnlySpan<byte> key, ulong counter, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        using Key k = ImportKey(ChaCha, key);
        return Open(k, counter, ciphertext, associatedData, plaintext);
    }

    public static void XSeal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> ciphertext)
    {
        using Key k = ImportKey(XChaCha, key);
        XChaCha.Encrypt(k, nonce, associatedData, plaintext, ciphertext);
    }

    public static bool XOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        using Key k = ImportKey(XChaCha, key);
        return XChaCha.Decrypt(k, nonce, associatedData, ciphertext, plaintext);
    }

    internal static void Seal(Key key, ulong counter, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> ciphertext)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        WriteNonce(nonce, counter);
        ChaCha.Encrypt(key, nonce, associatedData, plaintext, ciphertext[..(plaintext.Length + TagSize)]);
    }

    internal static bool Open(Key key, ulong counter, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        if (ciphertext.Length < TagSize)
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[NonceSize];
        WriteNonce(nonce, counter);
        return ChaCha.Decrypt(key, nonce, associatedData, ciphertext, plaintext[..(ciphertext.Length - TagSize)]);
    }

    internal static Key ImportTransportKey(ReadOnlySpan<byte> key) => ImportKey(ChaCha, key);

    private static Key ImportKey(AeadAlgorithm algorithm, ReadOnlySpan<byte> key) =>
        Key.Import(algorithm, key, KeyBlobFormat.RawSymmetricKey);

    private static void WriteNonce(Span<byte> nonce, ulong counter)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], counter);
    }
}
