using System.Text;
using Taltun.Crypto;

namespace Taltun.Protocol;

/// <summary>
/// The two keys a static public key implies for the cookie mechanism: HASH("mac1----" ‖ key)
/// keys mac1, HASH("cookie--" ‖ key) encrypts cookie replies. Both ends derive them from the
/// responder's public key.
/// </summary>
internal static class MacKeys
{
    private static readonly byte[] Mac1Label = Encoding.ASCII.GetBytes(ProtocolConstants.LabelMac1);
    private static readonly byte[] CookieLabel = Encoding.ASCII.GetBytes(ProtocolConstants.LabelCookie);

    public static void Derive(PublicKey responder, Span<byte> mac1Key, Span<byte> cookieKey)
    {
        Blake2s.Hash(mac1Key, Mac1Label, responder.Span);
        Blake2s.Hash(cookieKey, CookieLabel, responder.Span);
    }
}
