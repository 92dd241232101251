namespace Taltun.Crypto;

/// <summary>The size shared by every key in the protocol: Curve25519 keys, preshared keys, chaining keys.</summary>
internal static class Key32
{
    public const int Size = 32;
}
