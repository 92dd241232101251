using System.Diagnostics;
using System.Net.Sockets;
using Taltun.Device;

namespace Taltun.Tests.Device;

/// <summary>
/// Output is the journal only when the descriptor is the very file $JOURNAL_STREAM names; the
/// device and inode are checked against stat(1), which prints them as systemd writes them.
/// </summary>
public sealed class JournalTests
{
    [Fact]
    public void AFileIsTheStreamItsDeviceAndInodeName()
    {
        string path = Path.GetTempFileName();
        try
        {
            using var file = new FileStream(path, FileMode.Open);
            int descriptor = (int)file.SafeFileHandle.DangerousGetHandle();

            Assert.True(Journal.Is(descriptor, Stat(path)));
            Assert.False(Journal.Is(descriptor, Stat("/proc/self/exe")));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ASocketIsTheStreamItsDeviceAndInodeName()
    {
        // journald hands a service a stream socket, like this one.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        int descriptor = (int)socket.SafeHandle.DangerousGetHandle();
        string stream = Stat($"/proc/{Environment.ProcessId}/fd/{descriptor}");

        Assert.True(Journal.Is(descriptor, stream));
        string[] parts = stream.Split(':');
        Assert.False(Journal.Is(descriptor, $"{parts[0]}:{ulong.Parse(parts[1]) + 1}"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("8")]
    [InlineData("8:x")]
    [InlineData("-8:12")]
    [InlineData("8:12:1")]
    public void AnythingButDeviceColonInodeIsNoJournal(string? journalStream)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

        Assert.False(Journal.Is((int)socket.SafeHandle.DangerousGetHandle(), journalStream));
    }

    private static string Stat(string path)
    {
        var start = new ProcessStartInfo("stat", ["-L", "-c", "%d:%i", path]) { RedirectStandardOutput = true };
        using Process stat = Process.Start(start)!;
        string output = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        Assert.Equal(0, stat.ExitCode);
        return output;
    }
}
