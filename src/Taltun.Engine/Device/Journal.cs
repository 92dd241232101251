using System.Globalization;
using Taltun.Interop;

namespace Taltun.Device;

/// <summary>
/// Whether a file descriptor writes into systemd's journal. systemd connects a service's standard
/// output and error to journald through a stream socket and puts that socket's device and inode
/// into $JOURNAL_STREAM ("DEVICE:INODE", decimal); systemd.exec(5) asks a program to compare them
/// with its descriptor rather than trust the variable alone, which a child whose output was sent
/// elsewhere still inherits. Stateless; thread-safe.
/// </summary>
public static class Journal
{
    public const string Variable = "JOURNAL_STREAM";

    private const int StandardOutput = 1;

    /// <summary>True if this process's standard output is the journal stream $JOURNAL_STREAM names.</summary>
    public static bool IsStandardOutput() => Is(StandardOutput, Environment.GetEnvironmentVariable(Variable));

    /// <summary>True if <paramref name="descriptor"/> is the file <paramref name="journalStream"/> ("DEVICE:INODE") names.</summary>
    internal static bool Is(int descriptor, string? journalStream)
    {
        if (journalStream?.Split(':') is not [string deviceText, string inodeText]
            || !ulong.TryParse(deviceText, NumberStyles.None, CultureInfo.InvariantCulture, out ulong device)
            || !ulong.TryParse(inodeText, NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode))
        {
            return false;
        }

        return Libc.Statx(descriptor, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out StatxResult status) == 0
            && status.Device == device
            && status.Inode == inode;
    }
}
