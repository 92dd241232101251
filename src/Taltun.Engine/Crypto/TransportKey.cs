using System.Runtime.InteropServices;

namespace Taltun.Crypto;

/// <summary>
/// One direction's ChaCha20-Poly1305 key of a session, in 32 bytes of native memory that are
/// zeroed and freed on dispose. A SafeHandle, so a key in use by one thread is never zeroed under
/// it by another: a dispose racing a seal waits for the seal, and a seal after dispose throws
/// <see cref="ObjectDisposedException"/> — never a packet sealed with a zeroed key.
/// Thread-safe for Seal/Open.
/// </summary>
internal sealed unsafe class TransportKey : SafeHandle
{
    public TransportKey(ReadOnlySpan<byte> key)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        if (key.Length != ChaChaPoly.KeySize)
        {
            throw new ArgumentException("A transport key is 32 bytes.", nameof(key));
        }

        void* memory = NativeMemory.Alloc(ChaChaPoly.KeySize);
        key.CopyTo(new Span<byte>(memory, ChaChaPoly.KeySize));
        SetHandle((IntPtr)memory);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public void Seal(ulong counter, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        bool added = false;
        try
        {
            DangerousAddRef(ref added);
            ChaChaPoly.Seal(Key, counter, plaintext, default, ciphertext);
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }

    public bool Open(ulong counter, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        bool added = false;
        try
        {
            DangerousAddRef(ref added);
            return ChaChaPoly.Open(Key, counter, ciphertext, default, plaintext);
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }

    public override string ToString() => "(transport key hidden)";

    protected override bool ReleaseHandle()
    {
        NativeMemory.Clear((void*)handle, ChaChaPoly.KeySize);
        NativeMemory.Free((void*)handle);
        return true;
    }

    private ReadOnlySpan<byte> Key => new((void*)handle, ChaChaPoly.KeySize);
}
