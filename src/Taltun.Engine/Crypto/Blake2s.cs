using System.Security.Cryptography;

namespace Taltun.Crypto;

/// <summary>
/// BLAKE2s (RFC 7693) and the constructions WireGuard builds on it: HASH, keyed MAC, HMAC and
/// the Noise HKDF, all on <see cref="Blake2sState"/> so none allocates. HMAC is spelled out
/// here because Noise fixes its block size at BLAKE2s's 64 bytes. Thread-safe (no shared
/// state). Used on the handshake and cookie paths only, never per transport packet.
/// </summary>
internal static class Blake2s
{
    public const int HashSize = 32;
    public const int BlockSize = Blake2sState.BlockSize;
    public const int MacSize = 16;

    /// <summary>HASH(a ‖ b ‖ c): unkeyed BLAKE2s-256 of the concatenated inputs. The output may overlap the inputs.</summary>
    public static void Hash(Span<byte> output, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b = default, ReadOnlySpan<byte> c = default)
    {
        var state = new Blake2sState(HashSize);
        state.Update(a);
        state.Update(b);
        state.Update(c);
        state.Finish(output);
    }

    /// <summary>MAC(key, input): keyed BLAKE2s with a 16-byte output, as mac1/mac2 and cookies use.</summary>
    public static void Mac(Span<byte> output, ReadOnlySpan<byte> key, ReadOnlySpan<byte> input)
    {
        // The key may be the cookie secret: Finish zeroes the state that held it.
        var state = new Blake2sState(MacSize, key);
        state.Update(input);
        state.Finish(output);
    }

    /// <summary>HMAC-BLAKE2s-256 (RFC 2104 with a 64-byte block).</summary>
    public static void Hmac(Span<byte> output, ReadOnlySpan<byte> key, ReadOnlySpan<byte> input)
    {
        Span<byte> paddedKey = stackalloc byte[BlockSize];
        paddedKey.Clear();
        if (key.Length > BlockSize)
        {
            Hash(paddedKey[..HashSize], key);
        }
        else
        {
            key.CopyTo(paddedKey);
        }

        Span<byte> pad = stackalloc byte[BlockSize];
        Span<byte> inner = stackalloc byte[HashSize];
        for (int i = 0; i < BlockSize; i++)
        {
            pad[i] = (byte)(paddedKey[i] ^ 0x36);
        }

        Hash(inner, pad, input);
        for (int i = 0; i < BlockSize; i++)
        {
            pad[i] = (byte)(paddedKey[i] ^ 0x5c);
        }

        Hash(output[..HashSize], pad, inner);
        CryptographicOperations.ZeroMemory(paddedKey);
        CryptographicOperations.ZeroMemory(pad);
        CryptographicOperations.ZeroMemory(inner);
    }

    /// <summary>
    /// Noise's HKDF over HMAC-BLAKE2s: from chaining key <paramref name="key"/> and input
    /// <paramref name="input"/>, writes one, two or three 32-byte outputs (pass empty spans for
    /// outputs not needed).
    /// </summary>
    public static void Kdf(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output1, Span<byte> output2 = default, Span<byte> output3 = default)
    {
        // T(1) = HMAC(prk, 0x01); T(i) = HMAC(prk, T(i-1) ‖ i). The block holds T(i-1) ‖ i.
        Span<byte> prk = stackalloc byte[HashSize];
        Span<byte> block = stackalloc byte[HashSize + 1];
        Hmac(prk, key, input);

        block[HashSize] = 1;
        Hmac(output1, prk, block[HashSize..]);
        if (!output2.IsEmpty)
        {
            output1.CopyTo(block);
            block[HashSize] = 2;
            Hmac(output2, prk, block);
        }

        if (!output3.IsEmpty)
        {
            output2.CopyTo(block);
            block[HashSize] = 3;
            Hmac(output3, prk, block);
        }

        CryptographicOperations.ZeroMemory(prk);
        CryptographicOperations.ZeroMemory(block);
    }
}
