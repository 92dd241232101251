using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Taltun.Protocol;

/// <summary>
/// Our side's 32-bit indices: the receiver field of every message a peer sends us. An index stands
/// for a handshake in progress (no keypair yet) until the handshake completes, then for the session
/// it made. Indices are random, so an observer cannot count sessions or link them.
/// Thread-safe: lookups are lock-free (the data path resolves every transport packet here).
/// </summary>
internal sealed class IndexTable
{
    private readonly ConcurrentDictionary<uint, IndexEntry> _entries = new();

    public bool TryGet(uint index, out IndexEntry entry) => _entries.TryGetValue(index, out entry);

    /// <summary>A fresh random non-zero index for a handshake of <paramref name="peer"/>.</summary>
    public uint RegisterHandshake(Peer peer)
    {
        var entry = new IndexEntry(peer, null);
        Span<byte> random = stackalloc byte[sizeof(uint)];
        while (true)
        {
            RandomNumberGenerator.Fill(random);
            uint index = BinaryPrimitives.ReadUInt32LittleEndian(random);
            if (index != 0 && _entries.TryAdd(index, entry))
            {
                return index;
            }
        }
    }

    /// <summary>The handshake behind <paramref name="index"/> completed: from now on it names <paramref name="keypair"/>.</summary>
    public void BindSession(uint index, Peer peer, Keypair keypair) => _entries[index] = new IndexEntry(peer, keypair);

    /// <summary>Frees the index of <paramref name="peer"/>'s handshake in progress; an index that already names a session stays.</summary>
    public void UnregisterHandshake(uint index, Peer peer)
    {
        if (index != 0 && _entries.TryGetValue(index, out IndexEntry entry) && entry.Peer == peer && entry.Keypair is null)
        {
            _entries.TryRemove(index, out _);
        }
    }

    /// <summary>Frees the index of a session that is being erased.</summary>
    public void UnregisterSession(Keypair keypair) => _entries.TryRemove(keypair.LocalIndex, out _);
}

/// <summary>What a local index stands for: a handshake in progress (no keypair yet) or a session.</summary>
internal readonly record struct IndexEntry(Peer Peer, Keypair? Keypair);
