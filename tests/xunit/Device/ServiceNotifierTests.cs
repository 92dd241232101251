using System.Net.Sockets;
using System.Text;
using Taltun.Device;

namespace Taltun.Tests.Device;

/// <summary>
/// sd_notify without libsystemd: the datagram must arrive whole at the socket $NOTIFY_SOCKET
/// names, a path or an abstract name, exactly as a service manager binds them; a missing or odd
/// socket is a reason, never an exception.
/// </summary>
public sealed class ServiceNotifierTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("taltun-notify-").FullName;

    [Fact]
    public void SendsOneDatagramToASocketPath()
    {
        string path = Path.Combine(_directory, "notify");
        using Socket manager = Bind(path);

        Assert.True(new ServiceNotifier(path).TryNotify("READY=1\nSTATUS=Tunnel 'hub' is up", out string? problem), problem);

        Assert.Equal("READY=1\nSTATUS=Tunnel 'hub' is up", Receive(manager));
    }

    [Fact]
    public void SendsToAnAbstractNameWrittenWithAnAt()
    {
        string name = $"taltun-test-{Environment.ProcessId}-{Guid.NewGuid():N}";
        using Socket manager = Bind("\0" + name);

        // The name is bound exactly, with no trailing NUL: /proc/net/unix shows the NUL as '@'.
        Assert.Contains(File.ReadLines("/proc/net/unix"), line => line.EndsWith(" @" + name, StringComparison.Ordinal));
        Assert.True(new ServiceNotifier("@" + name).TryNotify("STOPPING=1", out string? problem), problem);

        Assert.Equal("STOPPING=1", Receive(manager));
    }

    [Fact]
    public void ASocketNobodyListensOnIsAReason()
    {
        string path = Path.Combine(_directory, "gone");

        Assert.False(new ServiceNotifier(path).TryNotify("READY=1", out string? problem));
        Assert.Contains(path, problem);
        Assert.False(new ServiceNotifier($"@taltun-test-nobody-{Guid.NewGuid():N}").TryNotify("READY=1", out problem));
        Assert.Contains("failed", problem);
    }

    [Theory]
    [InlineData("notify")]
    [InlineData("vsock:2:1234")]
    [InlineData("@")]
    public void AnAddressThatIsNeitherPathNorAbstractNameIsAReason(string address)
    {
        Assert.False(new ServiceNotifier(address).TryNotify("READY=1", out string? problem));
        Assert.Contains("NOTIFY_SOCKET=" + address, problem);
    }

    [Fact]
    public void APathLongerThanASocketAddressHoldsIsAReason()
    {
        string path = "/" + new string('x', 200);

        Assert.False(new ServiceNotifier(path).TryNotify("READY=1", out string? problem));
        Assert.Contains("no usable socket address", problem);
    }

    [Fact]
    public void OnlyASetNotifySocketMeansAServiceManagerListens()
    {
        string? before = Environment.GetEnvironmentVariable(ServiceNotifier.SocketVariable);
        try
        {
            Environment.SetEnvironmentVariable(ServiceNotifier.SocketVariable, "/run/systemd/notify");
            Assert.Equal("/run/systemd/notify", ServiceNotifier.FromEnvironment()?.Address);
            Environment.SetEnvironmentVariable(ServiceNotifier.SocketVariable, string.Empty);
            Assert.Null(ServiceNotifier.FromEnvironment());
            Environment.SetEnvironmentVariable(ServiceNotifier.SocketVariable, null);
            Assert.Null(ServiceNotifier.FromEnvironment());
        }
        finally
        {
            Environment.SetEnvironmentVariable(ServiceNotifier.SocketVariable, before);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Socket Bind(string address)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveTimeout = 5000 };
        socket.Bind(new UnixDomainSocketEndPoint(address));
        return socket;
    }

    private static string Receive(Socket socket)
    {
        byte[] buffer = new byte[4096];
        int length = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
