using System.Diagnostics;
using System.Text;
using Taltun.Configuration;
using Taltun.Crypto;

namespace Taltun.Tests.Configuration;

/// <summary>QR codes of client configurations, read back by a real scanner (zbarimg, from Debian's zbar-tools).</summary>
public sealed class ConfigurationQrCodeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("taltun-qr-").FullName;

    private static string ClientText()
    {
        using PrivateKey key = PrivateKey.Generate();
        return $"[Interface]\nPrivateKey = {key.ToBase64()}\nAddress = 10.0.0.5/24\nDNS = 10.0.0.1, corp.example\n\n[Peer]\nPublicKey = {PrivateKey.Generate().PublicKey}\nAllowedIPs = 10.0.0.0/24, 0.0.0.0/1, 128.0.0.0/1\nEndpoint = vpn.example.com:51820\nPersistentKeepalive = 25\n";
    }

    [Fact]
    public void ThePngHoldsExactlyTheText()
    {
        string text = ClientText();
        string png = Path.Combine(_directory, "client.png");
        File.WriteAllBytes(png, ConfigurationQrCode.Png(text));

        Assert.Equal(text, Scan(png));
    }

    [Fact]
    public void TheTerminalFormScansToTheTextToo()
    {
        string text = ClientText();
        string terminal = ConfigurationQrCode.Terminal(text);

        Assert.Matches("^[ ▀▄█\n]+$", terminal);
        string image = Path.Combine(_directory, "terminal.pbm");
        File.WriteAllText(image, AsBitmap(terminal));
        Assert.Equal(text, Scan(image));
    }

    [Fact]
    public void TooLongATextSaysSo()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationQrCode.Png(new string('x', 8000)));

        Assert.StartsWith("-QrCode: the configuration (8000 characters) is too long for a QR code", error.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The half blocks as a plain bitmap (PBM, 1 = dark), each module 4 × 4 pixels: what a camera sees on a dark terminal.</summary>
    private static string AsBitmap(string terminal)
    {
        const int Scale = 4;
        string[] lines = terminal.TrimEnd('\n').Split('\n');
        var rows = new List<bool[]>();
        foreach (string line in lines)
        {
            // A cell is two modules: the top half and the bottom half, drawn where light.
            rows.Add([.. line.Select(c => c is ' ' or '▄')]);
            rows.Add([.. line.Select(c => c is ' ' or '▀')]);
        }

        int width = rows.Max(r => r.Length) * Scale;
        var bitmap = new StringBuilder($"P1\n{width} {rows.Count * Scale}\n");
        foreach (bool[] row in rows)
        {
            string pixels = string.Join(' ', row.SelectMany(dark => Enumerable.Repeat(dark ? "1" : "0", Scale)));
            for (int i = 0; i < Scale; i++)
            {
                bitmap.Append(pixels).Append('\n');
            }
        }

        return bitmap.ToString();
    }

    private static string Scan(string image)
    {
        var start = new ProcessStartInfo("zbarimg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])["--quiet", "--raw", "-Sbinary", image])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"zbarimg found no code: {error}");
        return output;
    }
}
