namespace Taltun.PowerShell;

/// <summary>How New-TaltunKey writes keys. Every key parameter in Taltun reads both.</summary>
public enum KeyEncoding
{
    /// <summary>44 characters, as <c>wg genkey</c> prints: pastes into any WireGuard config.</summary>
    Base64,

    /// <summary>64 lowercase hex digits, as openssl rand -hex 32 prints them.</summary>
    Hex,
}
