namespace Taltun.PowerShell;

/// <summary>A symmetric preshared key as <c>New-TaltunKey -Preshared</c> returns it.</summary>
public sealed class TaltunPresharedKey
{
    public TaltunPresharedKey(string presharedKey)
    {
        PresharedKey = presharedKey;
    }

    /// <summary>The key: both peers of one pair configure the same value.</summary>
    public string PresharedKey { get; }

    public override string ToString() => "(preshared key hidden)";
}
