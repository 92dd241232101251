using System.Net;
using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Configuration;

/// <summary>
/// Saving a configuration as a local attacker or a full disk would have it: the file is written
/// whole or not at all, only where it was asked to go, owned by the writer and private from the
/// first byte.
/// </summary>
public sealed class SafeWritesTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _directory = Directory.CreateTempSubdirectory("taltun-writes-").FullName;
    private readonly PrivateKey _key = PrivateKey.Generate();

    [Fact]
    public void ASymlinkPlantedAtTheOldTemporaryNameIsNotWrittenThrough()
    {
        string victim = Path.Combine(_directory, "victim");
        File.WriteAllText(victim, "precious\n");
        string target = Path.Combine(_directory, "client.toml");
        File.CreateSymbolicLink(target + ".tmp", victim);

        ConfigurationFile.Save(Config(), target);

        Assert.Equal("precious\n", File.ReadAllText(victim));
        Assert.Equal(victim, new FileInfo(target + ".tmp").LinkTarget);
        Assert.Contains(_key.ToBase64(), File.ReadAllText(target));
    }

    [Fact]
    public void AForeignFileAtTheOldTemporaryNameDoesNotLendItsOwner()
    {
        string target = Path.Combine(_directory, "client.toml");
        File.WriteAllText(target + ".tmp", "planted\n");
        NetworkNamespace.Run("chown", "65534:65534", target + ".tmp");

        ConfigurationFile.Save(Config(), target);

        Assert.Equal("0:0", NetworkNamespace.Run("stat", "-c", "%u:%g", target).Trim());
        Assert.Equal(Private, File.GetUnixFileMode(target));
        Assert.Equal("planted\n", File.ReadAllText(target + ".tmp"));
    }

    [Fact]
    public void AFullFileSystemLeavesTheOldFileAndNoTemporaryFile()
    {
        using var small = new SmallFileSystem();
        string target = Path.Combine(small.Path, "hub.toml");
        File.WriteAllText(target, "old\n");
        small.Fill();

        var failure = Assert.Throws<SafeFileException>(() => ConfigurationFile.Save(Config(peers: 200), target));

        Assert.Equal((FileProblem.Failed, 28), (failure.Problem, failure.Errno));
        Assert.Contains("the file system is full", failure.Message);
        Assert.Contains("Nothing was changed", failure.Message);
        Assert.Equal("old\n", File.ReadAllText(target));
        Assert.Equal(["filler", "hub.toml"], Directory.GetFileSystemEntries(small.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void AReadOnlyFileSystemChangesNothing()
    {
        using var small = new SmallFileSystem();
        string target = Path.Combine(small.Path, "hub.toml");
        File.WriteAllText(target, "old\n");
        small.MakeReadOnly();

        var failure = Assert.Throws<SafeFileException>(() => ConfigurationFile.Save(Config(), target));

        Assert.Equal((FileProblem.Failed, 30), (failure.Problem, failure.Errno));
        Assert.Contains("read-only", failure.Message);
        Assert.Equal("old\n", File.ReadAllText(target));
        Assert.Equal(["hub.toml"], Directory.GetFileSystemEntries(small.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AMissingDirectoryIsNotCreated()
    {
        string target = Path.Combine(_directory, "missing", "deeper", "client.toml");

        var failure = Assert.Throws<SafeFileException>(() => ConfigurationFile.Save(Config(), target));

        Assert.Equal((FileProblem.NotFound, Path.GetDirectoryName(target)), (failure.Problem, failure.Path));
        Assert.Contains("-Force", failure.Message);
        Assert.False(Directory.Exists(Path.Combine(_directory, "missing")));
    }

    [Fact]
    public void MissingDirectoriesAreCreatedPrivateOnlyWhenAsked()
    {
        string target = Path.Combine(_directory, "missing", "deeper", "client.toml");

        ConfigurationFile.Save(Config(), target, new FileWriteOptions { CreateDirectories = true });

        const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(Path.Combine(_directory, "missing")));
        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(Path.Combine(_directory, "missing", "deeper")));
        Assert.Equal(Private, File.GetUnixFileMode(target));
    }

    [Fact]
    public void AStandardOutputLinkIsNotReplaced()
    {
        // The same link /dev/stdout is, in a directory of the test's own.
        string stdout = Path.Combine(_directory, "stdout");
        File.CreateSymbolicLink(stdout, "/proc/self/fd/1");

        var refused = Assert.Throws<SafeFileException>(() => ConfigurationFile.Save(Config(), stdout));
        var followed = Assert.Throws<SafeFileException>(() => ConfigurationFile.Save(Config(), stdout, new FileWriteOptions { FollowSymlink = true }));

        Assert.Equal(FileProblem.SymbolicLink, refused.Problem);
        Assert.Contains("-FollowSymlink", refused.Message);
        Assert.Equal(FileProblem.NotARegularFile, followed.Problem);
        Assert.Contains("/proc/self/fd/1, a process's open file", followed.Message);
        Assert.Equal("/proc/self/fd/1", new FileInfo(stdout).LinkTarget);

        // Whatever the descriptor is, even a regular file (as when output goes to a log), it stays untouched.
        string log = Path.Combine(_directory, "log");
        File.WriteAllText(log, "log\n");
        using FileStream opened = File.OpenRead(log);
        string descriptor = Path.Combine(_directory, "descriptor");
        File.CreateSymbolicLink(descriptor, $"/proc/self/fd/{opened.SafeFileHandle.DangerousGetHandle()}");
        Assert.Equal(FileProblem.NotARegularFile, Assert.Throws<SafeFileException>(() => ConfigurationFile.Save(Config(), descriptor, new FileWriteOptions { FollowSymlink = true })).Problem);
        Assert.Equal("log\n", File.ReadAllText(log));
    }

    [Fact]
    public void ALinkIsFollowedOnlyWhenAskedAndThenItsTargetIsReplaced()
    {
        string real = Path.Combine(_directory, "real.toml");
        File.WriteAllText(real, "old\n");
        string link = Path.Combine(_directory, "link.toml");
        File.CreateSymbolicLink(link, real);

        Assert.Equal(FileProblem.SymbolicLink, Assert.Throws<SafeFileException>(() => ConfigurationFile.Save(Config(), link)).Problem);
        Assert.Equal("old\n", File.ReadAllText(real));

        ConfigurationFile.Save(Config(), link, new FileWriteOptions { FollowSymlink = true });
        Assert.Equal(real, new FileInfo(link).LinkTarget);
        Assert.Contains(_key.ToBase64(), File.ReadAllText(real));
        Assert.Equal(Private, File.GetUnixFileMode(real));
    }

    [Fact]
    public void DirectoriesDevicesAndPipesAreNotFiles()
    {
        string fifo = Path.Combine(_directory, "pipe");
        NetworkNamespace.Run("mkfifo", fifo);
        string device = Path.Combine(_directory, "null");
        File.CreateSymbolicLink(device, "/dev/null");

        foreach ((string path, string named) in new[] { (_directory, "is a directory"), (fifo, "FIFO"), (Path.Combine(_directory, "new") + "/", "ends in '/'") })
        {
            var failure = Assert.Throws<SafeFileException>(() => ConfigurationFile.Save(Config(), path));
            Assert.Equal(FileProblem.NotARegularFile, failure.Problem);
            Assert.Contains(named, failure.Message);
        }

        var throughLink = Assert.Throws<SafeFileException>(() => ConfigurationFile.Save(Config(), device, new FileWriteOptions { FollowSymlink = true }));
        Assert.Equal(FileProblem.NotARegularFile, throughLink.Problem);
        Assert.Contains("character device", throughLink.Message);
        Assert.Equal(["null", "pipe"], Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void ATemporaryNameTakenByAPlantedLinkIsPassedOver()
    {
        string victim = Path.Combine(_directory, "victim");
        File.WriteAllText(victim, "precious\n");
        string target = Path.Combine(_directory, "client.toml");
        File.CreateSymbolicLink(Path.Combine(_directory, "planted.tmp"), victim);
        var names = new Queue<string>(["planted.tmp", "fresh.tmp"]);

        SafeFile.WriteText(target, "written\n", new FileWriteOptions(), _ => names.Dequeue());

        Assert.Equal("precious\n", File.ReadAllText(victim));
        Assert.Equal("written\n", File.ReadAllText(target));
        Assert.Equal(["client.toml", "planted.tmp", "victim"], Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void AnExistingFileIsKeptUnlessOverwriteIsAsked()
    {
        string target = Path.Combine(_directory, "client.toml");
        File.WriteAllText(target, "old\n");

        var failure = Assert.Throws<SafeFileException>(() => SafeFile.WriteText(target, "new\n", new FileWriteOptions { Overwrite = false }));

        Assert.Equal(FileProblem.Exists, failure.Problem);
        Assert.Equal("old\n", File.ReadAllText(target));
        Assert.Single(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void WrittenTextHasNoByteOrderMark()
    {
        string target = Path.Combine(_directory, "hub.toml");

        ConfigurationFile.Save(Config(), target);

        Assert.Equal((byte)'#', File.ReadAllBytes(target)[0]);
    }

    [Fact]
    public void ReadingRefusesWhatIsNotASmallRegularFile()
    {
        string fifo = Path.Combine(_directory, "pipe");
        NetworkNamespace.Run("mkfifo", fifo);
        string huge = Path.Combine(_directory, "huge.toml");
        using (FileStream stream = File.Create(huge))
        {
            stream.SetLength(SafeFile.MaxReadBytes + 1);
        }

        Assert.Equal(FileProblem.NotARegularFile, Assert.Throws<SafeFileException>(() => SafeFile.ReadText(fifo)).Problem);
        Assert.Equal(FileProblem.NotARegularFile, Assert.Throws<SafeFileException>(() => SafeFile.ReadText(_directory)).Problem);
        Assert.Equal(FileProblem.TooLarge, Assert.Throws<SafeFileException>(() => SafeFile.ReadText(huge)).Problem);
        Assert.Equal(FileProblem.NotFound, Assert.Throws<SafeFileException>(() => SafeFile.ReadText(Path.Combine(_directory, "none"))).Problem);
    }

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private TunnelConfiguration Config(int peers = 1) => new()
    {
        Addresses = [new InterfaceAddress(IPAddress.Parse("10.0.0.2"), 24)],
        PrivateKey = _key,
        Peers = [.. Enumerable.Range(0, peers).Select(i => new PeerConfiguration { PublicKey = new PublicKey(new byte[32]), VirtualIP = IPAddress.Parse($"10.0.{i / 200}.{(i % 200) + 1}") })],
    };
}
