using QRCoder;

namespace Taltun.Configuration;

/// <summary>
/// A configuration as a QR code, which WireGuard's phone apps scan to import a tunnel (wg-easy and
/// PiVPN hand clients out this way): a PNG, or lines of Unicode half blocks for a terminal, two
/// rows of modules to a line, light modules drawn so a dark terminal shows the code as printed.
/// QRCoder encodes; error correction L, as qrencode uses, keeps the code small enough for a
/// terminal. The code holds a private key: whoever sees it owns the tunnel. Stateless; thread-safe.
/// </summary>
public static class ConfigurationQrCode
{
    /// <summary>Pixels per module in the PNG: a client's code (about 60 modules) becomes a 500-pixel image.</summary>
    private const int PixelsPerModule = 8;

    /// <summary>The QR code of <paramref name="text"/> as a PNG image.</summary>
    public static byte[] Png(string text)
    {
        using QRCodeData data = Encode(text);
        return new PngByteQRCode(data).GetGraphic(PixelsPerModule);
    }

    /// <summary>The QR code of <paramref name="text"/> as Unicode half blocks, quiet zone included.</summary>
    public static string Terminal(string text)
    {
        using QRCodeData data = Encode(text);
        return new AsciiQRCode(data).GetGraphicSmall(drawQuietZones: true, invert: false, endOfLine: "\n");
    }

    private static QRCodeData Encode(string text)
    {
        try
        {
            return QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.L);
        }
        catch (QRCoder.Exceptions.DataTooLongException)
        {
            throw new ConfigurationException(null, 0, "-QrCode", $"the configuration ({text.Length} characters) is too long for a QR code; a phone client's configuration has one peer and fits easily.");
        }
    }
}
