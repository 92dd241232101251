using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_BASIC_STATS = 0x7ff;

    public const int S_IFMT = 0xF000;
    public const int S_IFREG = 0x8000;
    public const int S_IFDIR = 0x4000;
    public const int S_IFLNK = 0xA000;
    public const int S_IFCHR = 0x2000;
    public const int S_IFBLK = 0x6000;
    public const int S_IFIFO = 0x1000;
    public const int S_IFSOCK = 0xC000;

    /// <summary>statx(2): the same layout on every architecture, unlike struct stat.</summary>
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Statx(int directory, string path, int flags, uint mask, out StatxResult result);
}

/// <summary>The fields of struct statx that Taltun reads (linux/stat.h), at their fixed offsets.</summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal struct StatxResult
{
    [FieldOffset(20)]
    public uint Uid;

    [FieldOffset(28)]
    public ushort Mode;

    [FieldOffset(32)]
    public ulong Inode;

    [FieldOffset(40)]
    public ulong Size;

    [FieldOffset(136)]
    public uint DeviceMajor;

    [FieldOffset(140)]
    public uint DeviceMinor;

    public readonly int Type => Mode & Libc.S_IFMT;

    /// <summary>The device as glibc's dev_t encodes it (makedev), the number stat(1) prints and systemd writes into $JOURNAL_STREAM.</summary>
    public readonly ulong Device =>
        ((ulong)(DeviceMajor & 0xfffff000) << 32) | ((ulong)(DeviceMajor & 0x00000fff) << 8)
        | ((ulong)(DeviceMinor & 0xffffff00) << 12) | (DeviceMinor & 0x000000ff);
}
