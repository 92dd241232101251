using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace Taltun.Crypto;

/// <summary>
/// BLAKE2s (RFC 7693) in a struct: the chained state and the pending block live inside it, so
/// hashing allocates nothing. A handshake hashes some sixty times, and a hub under a handshake
/// storm does thousands of handshakes a second: a digest object per call was most of a
/// handshake's garbage. Tested against the RFC's vectors and, on random input, against BouncyCastle.
/// Not thread-safe; zeroed by <see cref="Clear"/> (it may hold a key).
/// </summary>
internal struct Blake2sState
{
    public const int BlockSize = 64;

    private static readonly uint[] Iv =
    [
        0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
    ];

    // The message schedule: which message words each round's eight G calls take.
    private static readonly byte[] Sigma =
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
    ];

    private Words _h;
    private Block _buffer;
    private int _buffered;
    private ulong _counter;
    private int _outputLength;

    /// <summary>A state for an <paramref name="outputLength"/>-byte digest (1-32), keyed if <paramref name="key"/> is not empty (at most 32 bytes).</summary>
    public Blake2sState(int outputLength, ReadOnlySpan<byte> key = default)
    {
        if (outputLength is < 1 or > 32 || key.Length > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(outputLength), "BLAKE2s gives 1 to 32 bytes and takes keys of up to 32.");
        }

        _outputLength = outputLength;
        Iv.CopyTo((Span<uint>)_h);
        _h[0] ^= 0x01010000u ^ ((uint)key.Length << 8) ^ (uint)outputLength;
        if (!key.IsEmpty)
        {
            // A key is the first block, padded with zeros.
            key.CopyTo(_buffer);
            _buffered = BlockSize;
        }
    }

    public void Update(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_buffered == BlockSize)
            {
                // The last block is compressed differently, so a full one waits until more data comes.
                _counter += BlockSize;
                Compress(last: false);
                _buffered = 0;
            }

            int take = Math.Min(BlockSize - _buffered, data.Length);
            data[..take].CopyTo(((Span<byte>)_buffer)[_buffered..]);
            _buffered += take;
            data = data[take..];
        }
    }

    /// <summary>Writes the digest to <paramref name="output"/> (its first <c>outputLength</c> bytes) and clears the state.</summary>
    public void Finish(Span<byte> output)
    {
        _counter += (ulong)_buffered;
        ((Span<byte>)_buffer)[_buffered..].Clear();
        Compress(last: true);
        Span<byte> digest = stackalloc byte[32];
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(digest[(i * 4)..], _h[i]);
        }

        digest[.._outputLength].CopyTo(output);
        CryptographicOperations.ZeroMemory(digest);
        Clear();
    }

    /// <summary>Zeroes everything the state holds: the chained value, the pending block (perhaps a key).</summary>
    public void Clear()
    {
        ((Span<uint>)_h).Clear();
        ((Span<byte>)_buffer).Clear();
        _buffered = 0;
        _counter = 0;
    }

    private void Compress(bool last)
    {
        // The sixteen working words as four rows of four lanes: a round's four column G calls
        // run as one vector G, then the rows turn so the diagonals line up as columns, a second
        // vector G, and the rows turn back (RFC 7693 section 3.2, the layout of BLAKE2's SIMD
        // reference code). Word by word, in locals or a span, it ran two to three times slower.
        Span<uint> m = stackalloc uint[16];
        ReadOnlySpan<byte> block = _buffer;
        for (int i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(i * 4)..]);
        }

        ReadOnlySpan<uint> h = _h;
        Vector128<uint> a = Vector128.Create(h[0], h[1], h[2], h[3]);
        Vector128<uint> b = Vector128.Create(h[4], h[5], h[6], h[7]);
        Vector128<uint> c = Vector128.Create(0x6A09E667u, 0xBB67AE85u, 0x3C6EF372u, 0xA54FF53Au);
        Vector128<uint> d = Vector128.Create(
            0x510E527Fu ^ (uint)_counter,
            0x9B05688Cu ^ (uint)(_counter >> 32),
            last ? ~0x1F83D9ABu : 0x1F83D9ABu,
            0x5BE0CD19u);
        Vector128<uint> a0 = a, b0 = b;

        ReadOnlySpan<byte> sigma = Sigma;
        for (int round = 0; round < 10; round++)
        {
            ReadOnlySpan<byte> s = sigma.Slice(round * 16, 16);
            G(ref a, ref b, ref c, ref d,
                Vector128.Create(m[s[0]], m[s[2]], m[s[4]], m[s[6]]),
                Vector128.Create(m[s[1]], m[s[3]], m[s[5]], m[s[7]]));

            b = Vector128.Shuffle(b, Vector128.Create(1u, 2, 3, 0));
            c = Vector128.Shuffle(c, Vector128.Create(2u, 3, 0, 1));
            d = Vector128.Shuffle(d, Vector128.Create(3u, 0, 1, 2));

            G(ref a, ref b, ref c, ref d,
                Vector128.Create(m[s[8]], m[s[10]], m[s[12]], m[s[14]]),
                Vector128.Create(m[s[9]], m[s[11]], m[s[13]], m[s[15]]));

            b = Vector128.Shuffle(b, Vector128.Create(3u, 0, 1, 2));
            c = Vector128.Shuffle(c, Vector128.Create(2u, 3, 0, 1));
            d = Vector128.Shuffle(d, Vector128.Create(1u, 2, 3, 0));
        }

        a = a0 ^ a ^ c;
        b = b0 ^ b ^ d;
        Span<uint> chained = _h;
        a.CopyTo(chained);
        b.CopyTo(chained[4..]);
        m.Clear();
    }

    /// <summary>Four G functions at once, one per lane: on the columns, or on the diagonals once the rows are turned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(ref Vector128<uint> a, ref Vector128<uint> b, ref Vector128<uint> c, ref Vector128<uint> d, Vector128<uint> x, Vector128<uint> y)
    {
        a += b + x;
        d = RotateRight16(d ^ a);
        c += d;
        b = RotateRight(b ^ c, 12);
        a += b + y;
        d = RotateRight8(d ^ a);
        c += d;
        b = RotateRight(b ^ c, 7);
    }

    // Rotations by whole bytes are one byte shuffle rather than two shifts and an or.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateRight16(Vector128<uint> value) =>
        Vector128.Shuffle(value.AsByte(), Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateRight8(Vector128<uint> value) =>
        Vector128.Shuffle(value.AsByte(), Vector128.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateRight(Vector128<uint> value, int count) =>
        Vector128.ShiftRightLogical(value, count) | Vector128.ShiftLeft(value, 32 - count);

    [InlineArray(8)]
    private struct Words
    {
        private uint _first;
    }

    [InlineArray(BlockSize)]
    private struct Block
    {
        private byte _first;
    }
}
