using System.Management.Automation;
using Taltun.Crypto;

namespace Taltun.PowerShell.Commands;

/// <summary>Generates Curve25519 key pairs or preshared keys, or derives a public key.</summary>
[Cmdlet(VerbsCommon.New, "TaltunKey", DefaultParameterSetName = GenerateSet)]
[OutputType(typeof(TaltunKeyPair), ParameterSetName = [GenerateSet, DeriveSet])]
[OutputType(typeof(TaltunPresharedKey), ParameterSetName = [PresharedSet])]
public sealed class NewTaltunKeyCommand : PSCmdlet
{
    private const string GenerateSet = "Generate";
    private const string DeriveSet = "Derive";
    private const string PresharedSet = "Preshared";

    /// <summary>How many keys to make, for bulk provisioning.</summary>
    [Parameter(ParameterSetName = GenerateSet)]
    [Parameter(ParameterSetName = PresharedSet)]
    [ValidateRange(1, 100_000)]
    public int Count { get; set; } = 1;

    /// <summary>An existing private key (base64 or hex) whose public key to derive, like <c>wg pubkey</c>.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DeriveSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string PrivateKey { get; set; } = "";

    /// <summary>Make symmetric preshared keys instead of key pairs, like <c>wg genpsk</c>.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PresharedSet)]
    public SwitchParameter Preshared { get; set; }

    /// <summary>Base64 (the default, what WireGuard prints) or Hex.</summary>
    [Parameter]
    public KeyEncoding Encoding { get; set; } = KeyEncoding.Base64;

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case DeriveSet:
                WriteObject(Derive());
                break;
            case PresharedSet:
                for (int i = 0; i < Count; i++)
                {
                    using var key = PresharedKey.Generate();
                    WriteObject(new TaltunPresharedKey(Encoding == KeyEncoding.Hex ? key.ToHex() : key.ToBase64()));
                }

                break;
            default:
                for (int i = 0; i < Count; i++)
                {
                    using var key = Crypto.PrivateKey.Generate();
                    WriteObject(ToPair(key));
                }

                break;
        }
    }

    private TaltunKeyPair Derive()
    {
        try
        {
            using var key = Crypto.PrivateKey.Parse(PrivateKey);
            return ToPair(key);
        }
        catch (KeyFormatException e)
        {
            ThrowTerminatingError(KeyArgument.Error(e, nameof(PrivateKey)));
            throw; // ThrowTerminatingError does not return.
        }
    }

    private TaltunKeyPair ToPair(Crypto.PrivateKey key) => Encoding == KeyEncoding.Hex
        ? new TaltunKeyPair(key.ToHex(), key.PublicKey.ToHex())
        : new TaltunKeyPair(key.ToBase64(), key.PublicKey.ToBase64());
}
