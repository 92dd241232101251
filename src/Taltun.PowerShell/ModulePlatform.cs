using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Taltun.PowerShell;

/// <summary>
/// Whether this machine can run the module as shipped: Linux, on the processor architecture the
/// module's libsodium was built for. The architecture is read from the library's ELF header, so
/// the check follows what is in the module folder, not what a build meant to put there.
/// </summary>
internal static class ModulePlatform
{
    /// <summary>The native library the module ships beside its assemblies (NSec loads it).</summary>
    public const string NativeLibrary = "libsodium.so";

    /// <summary>Null if the module in <paramref name="moduleDirectory"/> runs here; otherwise why not and what to do.</summary>
    public static string? Problem(string moduleDirectory, bool isLinux, Architecture process)
    {
        if (!isLinux)
        {
            return $"Taltun runs on Linux only: it drives TUN devices, netlink and Linux's batched sockets. This is {RuntimeInformation.OSDescription}.";
        }

        string library = Path.Combine(moduleDirectory, NativeLibrary);
        Architecture? shipped = ElfArchitecture(library);
        if (shipped is null)
        {
            return $"{library} is missing or is not a Linux library this module can use; reinstall the Taltun module.";
        }

        return shipped == process
            ? null
            : $"This Taltun module ships {NativeLibrary} for Linux on {shipped} processors, and this pwsh runs on {process}: install a Taltun module built for linux-{process.ToString().ToLowerInvariant()}.";
    }

    /// <summary>The architecture an ELF shared library is built for (e_machine of its header), or null if the file is none.</summary>
    private static Architecture? ElfArchitecture(string path)
    {
        byte[] header = new byte[20];
        try
        {
            using FileStream file = File.OpenRead(path);
            file.ReadExactly(header);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (header[0] != 0x7F || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
        {
            return null;
        }

        ushort machine = header[5] == 2 ? BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(18)) : BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(18));
        return machine switch
        {
            0x03 => Architecture.X86,
            0x28 => Architecture.Arm,
            0x3E => Architecture.X64,
            0xB7 => Architecture.Arm64,
            0xF3 => Architecture.RiscV64,
            0x102 => Architecture.LoongArch64,
            0x16 => Architecture.S390x,
            0x15 => Architecture.Ppc64le,
            _ => null,
        };
    }
}
