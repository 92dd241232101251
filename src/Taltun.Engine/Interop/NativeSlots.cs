using System.Runtime.InteropServices;

namespace Taltun.Interop;

/// <summary>
/// Fixed-size slots in one block of native memory, allocated once and never moved, so batched
/// system calls can point at them without pinning per call. Not thread-safe: each I/O loop owns its own.
/// </summary>
internal sealed unsafe class NativeSlots : IDisposable
{
    private byte* _memory;

    public NativeSlots(int count, int slotSize)
    {
        Count = count;
        SlotSize = slotSize;
        _memory = (byte*)NativeMemory.AlignedAlloc((nuint)(count * slotSize), 64);
        NativeMemory.Clear(_memory, (nuint)(count * slotSize));
    }

    public int Count { get; }

    public int SlotSize { get; }

    public byte* Pointer(int slot) => _memory + (slot * SlotSize);

    public Span<byte> Span(int slot) => new(Pointer(slot), SlotSize);

    public void Dispose()
    {
        if (_memory != null)
        {
            NativeMemory.AlignedFree(_memory);
            _memory = null;
        }
    }
}
