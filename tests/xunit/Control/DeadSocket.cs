using System.Text;

namespace Taltun.Tests.Control;

/// <summary>A socket file as a killed process leaves it: bound, then closed without unlinking (.NET's Socket would unlink it on dispose).</summary>
internal static class DeadSocket
{
    public static unsafe void Leave(string path)
    {
        using var fd = new Taltun.Interop.FileDescriptor(Taltun.Interop.Libc.Socket(1, 1, 0));
        byte[] address = new byte[110];
        address[0] = 1;
        Encoding.ASCII.GetBytes(path).CopyTo(address, 2);
        fixed (byte* bytes = address)
        {
            Assert.Equal(0, Taltun.Interop.Libc.Bind(fd, bytes, 2 + path.Length + 1));
        }
    }
}
