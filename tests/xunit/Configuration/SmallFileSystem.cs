using Taltun.Tests.Interop;

namespace Taltun.Tests.Configuration;

/// <summary>
/// A 16 KB tmpfs mounted on a directory the test creates, to make a file system full or
/// read-only for real; Dispose unmounts it and removes the directory, pass or fail.
/// </summary>
internal sealed class SmallFileSystem : IDisposable
{
    public SmallFileSystem()
    {
        Path = Directory.CreateTempSubdirectory("taltun-smallfs-").FullName;
        NetworkNamespace.Run("mount", "-t", "tmpfs", "-o", "size=16k,mode=0755", "tmpfs", Path);
    }

    public string Path { get; }

    /// <summary>Writes until the file system has no room left.</summary>
    public void Fill()
    {
        using Microsoft.Win32.SafeHandles.SafeFileHandle filler = File.OpenHandle(System.IO.Path.Combine(Path, "filler"), FileMode.Create, FileAccess.Write);
        byte[] block = new byte[1024];
        try
        {
            for (long offset = 0; ; offset += block.Length)
            {
                RandomAccess.Write(filler, block, offset);
            }
        }
        catch (IOException)
        {
            // Full, as wanted.
        }
    }

    public void MakeReadOnly() => NetworkNamespace.Run("mount", "-o", "remount,ro", Path);

    public void Dispose()
    {
        try
        {
            NetworkNamespace.Run("umount", Path);
        }
        catch (InvalidOperationException)
        {
            NetworkNamespace.Run("umount", "--lazy", Path);
        }

        Directory.Delete(Path, recursive: true);
    }
}
