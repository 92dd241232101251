using System.Collections;
using System.Management.Automation;

namespace Taltun.PowerShell;

/// <summary>
/// Turns -Peer strings into <see cref="TaltunPeerDefinition"/>s before PowerShell's own
/// conversion would, because a failed conversion quotes the value, and a malformed peer string
/// may hold a private key pasted by mistake. Hashtables and objects pass on to the usual binding.
/// </summary>
public sealed class PeerTextTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => inputData switch
    {
        string text => Parse(text),
        PSObject { BaseObject: string text } => Parse(text),
        IList items => items.Cast<object?>().Select(item => Transform(engineIntrinsics, item)).ToArray(),
        _ => inputData,
    };

    private static TaltunPeerDefinition Parse(string text)
    {
        try
        {
            return new TaltunPeerDefinition(text);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentTransformationMetadataException(e.Message);
        }
    }
}
