using System.Runtime.InteropServices;

namespace Taltun.Crypto;

/// <summary>
/// The libsodium functions Taltun calls per packet and per handshake, on raw keys in Taltun's own
/// memory. libsodium is the library NSec ships; NSec's <c>Key</c> objects keep each key in a
/// guarded allocation (an mmap with guard pages, mlocked): about 33 µs and 9 KB of memory per key
/// measured here, and three memory mappings each, so a hub with tens of thousands of sessions
/// runs out of the kernel's per-process mappings (vm.max_map_count, 65,530). Sessions come and go
/// every two minutes per peer, so their keys are plain pinned memory that is zeroed when done, as
/// wireguard-go and the kernel module keep them. Every function is thread-safe.
/// </summary>
internal static unsafe partial class Sodium
{
    private const string Library = "libsodium";

    static Sodium()
    {
        // Picks the fastest implementations for this CPU; safe to call more than once (NSec does too).
        if (SodiumInit() < 0)
        {
            throw new InvalidOperationException("libsodium could not be initialised.");
        }
    }

    /// <summary>Runs the static initialiser (sodium_init) before the first call.</summary>
    public static void EnsureInitialized()
    {
    }

    /// <summary>c = AEAD(k, npub, m, ad); c holds mlen + 16 bytes and may be m itself. 0 on success.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_chacha20poly1305_ietf_encrypt")]
    public static partial int ChaCha20Poly1305Encrypt(byte* c, ulong* clen, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    /// <summary>m = open(k, npub, c, ad); -1 (m untouched) if the tag does not verify. m may be c itself.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_chacha20poly1305_ietf_decrypt")]
    public static partial int ChaCha20Poly1305Decrypt(byte* m, ulong* mlen, byte* nsec, byte* c, ulong clen, byte* ad, ulong adlen, byte* npub, byte* k);

    [LibraryImport(Library, EntryPoint = "crypto_aead_xchacha20poly1305_ietf_encrypt")]
    public static partial int XChaCha20Poly1305Encrypt(byte* c, ulong* clen, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    [LibraryImport(Library, EntryPoint = "crypto_aead_xchacha20poly1305_ietf_decrypt")]
    public static partial int XChaCha20Poly1305Decrypt(byte* m, ulong* mlen, byte* nsec, byte* c, ulong clen, byte* ad, ulong adlen, byte* npub, byte* k);

    /// <summary>q = X25519(n, p); -1 if the result is all zeros (p is a low-order point).</summary>
    [LibraryImport(Library, EntryPoint = "crypto_scalarmult_curve25519")]
    public static partial int ScalarMult(byte* q, byte* n, byte* p);

    /// <summary>q = X25519(n, 9): the public key of private key n.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_scalarmult_curve25519_base")]
    public static partial int ScalarMultBase(byte* q, byte* n);

    [LibraryImport(Library, EntryPoint = "sodium_init")]
    private static partial int SodiumInit();
}
