using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Taltun.Crypto;

namespace Taltun.Protocol;

/// <summary>
/// Noise's symmetric state (Noise specification 5.2) as WireGuard's whitepaper 5.4 uses it: the
/// chaining key and the handshake hash, with the steps that fold each part of a message into them.
/// A ref struct with its buffers inline, so these secrets cannot be boxed, captured or stored
/// on the heap; the owner calls <see cref="Clear"/> in a finally, however the message ended.
/// The spans its steps take are scoped (it keeps none of them), so callers may pass stack buffers.
/// Cipher keys stay with the caller: WireGuard encrypts each handshake field under a fresh key
/// with nonce 0, so Noise's cipher state (key and counter) has nothing to carry between steps.
/// </summary>
internal ref struct NoiseState
{
    public const int Size = Blake2s.HashSize;

    private Block _chainingKey;
    private Block _hash;

    public NoiseState(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> hash)
    {
        chainingKey.CopyTo(_chainingKey);
        hash.CopyTo(_hash);
    }

    /// <summary>h = HASH(h ‖ data).</summary>
    public void MixHash(scoped ReadOnlySpan<byte> data) => Blake2s.Hash(_hash, _hash, data);

    /// <summary>ck = KDF1(ck, input).</summary>
    public void MixKey(scoped ReadOnlySpan<byte> input) => Blake2s.Kdf(_chainingKey, input, _chainingKey);

    /// <summary>(ck, key) = KDF2(ck, input).</summary>
    public void MixKeyAndKey(scoped ReadOnlySpan<byte> input, scoped Span<byte> key) => Blake2s.Kdf(_chainingKey, input, _chainingKey, key);

    /// <summary>(ck, τ, key) = KDF3(ck, psk), then h = HASH(h ‖ τ): the "psk2" of Noise_IKpsk2.</summary>
    public void MixKeyAndHash(scoped ReadOnlySpan<byte> presharedKey, scoped Span<byte> key)
    {
        Span<byte> tau = stackalloc byte[Size];
        Blake2s.Kdf(_chainingKey, presharedKey, _chainingKey, tau, key);
        MixHash(tau);
        CryptographicOperations.ZeroMemory(tau);
    }

    /// <summary>ciphertext = AEAD(key, 0, plaintext, h), then h = HASH(h ‖ ciphertext). The ciphertext span is exactly plaintext + 16 bytes.</summary>
    public void EncryptAndHash(scoped ReadOnlySpan<byte> key, scoped ReadOnlySpan<byte> plaintext, scoped Span<byte> ciphertext)
    {
        ChaChaPoly.Seal(key, 0, plaintext, _hash, ciphertext);
        MixHash(ciphertext);
    }

    /// <summary>The inverse of <see cref="EncryptAndHash"/>; false on a bad tag, and then h is left as it was.</summary>
    public bool DecryptAndHash(scoped ReadOnlySpan<byte> key, scoped ReadOnlySpan<byte> ciphertext, scoped Span<byte> plaintext)
    {
        if (!ChaChaPoly.Open(key, 0, ciphertext, _hash, plaintext))
        {
            return false;
        }

        MixHash(ciphertext);
        return true;
    }

    /// <summary>(first, second) = KDF2(ck, ε): the two transport keys, initiator's sending key first.</summary>
    public readonly void Split(Span<byte> first, Span<byte> second) =>
        Blake2s.Kdf(_chainingKey, ReadOnlySpan<byte>.Empty, first, second);

    /// <summary>Saves the state where it must outlive this message (the peer's handshake between messages).</summary>
    public readonly void CopyTo(Span<byte> chainingKey, Span<byte> hash)
    {
        _chainingKey[..].CopyTo(chainingKey);
        _hash[..].CopyTo(hash);
    }

    public void Clear()
    {
        CryptographicOperations.ZeroMemory(_chainingKey);
        CryptographicOperations.ZeroMemory(_hash);
    }

    [InlineArray(Size)]
    private struct Block
    {
        private byte _element;
    }
}
