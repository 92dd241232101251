using NSec.Cryptography;

namespace Taltun.Crypto;

/// <summary>
/// One direction's ChaCha20-Poly1305 key of a session, imported into libsodium once. Thread-safe
/// for Seal/Open; Dispose erases the key (libsodium's guarded memory).
/// </summary>
internal sealed class TransportKey : IDisposable
{
    private readonly Key _key;

    public TransportKey(ReadOnlySpan<byte> key)
    {
        _key = ChaChaPoly.ImportTransportKey(key);
    }

    public void Seal(ulong counter, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext) =>
        ChaChaPoly.Seal(_key, counter, plaintext, default, ciphertext);

    public bool Open(ulong counter, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext) =>
        ChaChaPoly.Open(_key, counter, ciphertext, default, plaintext);

    public void Dispose() => _key.Dispose();

    public override string ToString() => "(transport key hidden)";
}
