using Processor = System.Runtime.InteropServices.Architecture;
using Taltun.PowerShell;

namespace Taltun.Tests.PowerShell;

/// <summary>Where the module refuses to load, and what it says: decided by the system and by the libsodium it ships.</summary>
public sealed class ModulePlatformTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("taltun-platform-").FullName;

    [Fact]
    public void TheShippedLibraryServesThisMachine()
    {
        string shipped = Path.GetDirectoryName(typeof(ModuleLifetime).Assembly.Location)!;

        Assert.Null(ModulePlatform.Problem(shipped, isLinux: true, Processor.X64));
    }

    [Fact]
    public void AnotherSystemIsToldTaltunIsForLinux() =>
        Assert.StartsWith("Taltun runs on Linux only", ModulePlatform.Problem(_directory, isLinux: false, Processor.X64));

    [Theory]
    [InlineData(0xB7, Processor.X64, "ships libsodium.so for Linux on Arm64 processors, and this pwsh runs on X64: install a Taltun module built for linux-x64.")]
    [InlineData(0x3E, Processor.Arm64, "ships libsodium.so for Linux on X64 processors, and this pwsh runs on Arm64: install a Taltun module built for linux-arm64.")]
    public void AnotherProcessorIsToldWhichBuildToInstall(byte machine, Processor process, string expected)
    {
        byte[] header = new byte[64];
        "\u007fELF"u8.CopyTo(header);
        (header[4], header[5], header[18]) = (2, 1, machine);
        File.WriteAllBytes(Path.Combine(_directory, "libsodium.so"), header);

        Assert.EndsWith(expected, ModulePlatform.Problem(_directory, isLinux: true, process));
    }

    [Fact]
    public void AMissingOrForeignLibrarySaysToReinstall()
    {
        Assert.Contains("is missing or is not a Linux library", ModulePlatform.Problem(_directory, isLinux: true, Processor.X64));
        File.WriteAllText(Path.Combine(_directory, "libsodium.so"), "MZ, a Windows DLL perhaps");
        Assert.Contains("reinstall the Taltun module", ModulePlatform.Problem(_directory, isLinux: true, Processor.X64));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
