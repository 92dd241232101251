using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Device;
using Taltun.Foundation;

namespace Taltun.Control;

/// <summary>
/// One request of Taltun's extension to the userspace API: the line <c>taltun=1</c>, then this as
/// one line of JSON. <see cref="Op"/> names the operation of <see cref="ITunnelOperations"/>;
/// the other members are its arguments.
/// </summary>
public sealed record ControlRequest
{
    public const string ReportOp = "report";
    public const string PeerOp = "peer";
    public const string LogOp = "log";
    public const string ConfigurationOp = "configuration";
    public const string AddPeerOp = "add-peer";
    public const string RemovePeerOp = "remove-peer";
    public const string ApplyOp = "apply";
    public const string ReloadOp = "reload";
    public const string StopOp = "stop";

    public required string Op { get; init; }

    public PublicKey? PublicKey { get; init; }

    public bool Secrets { get; init; }

    public PeerConfiguration? Peer { get; init; }

    public bool MovePrefixes { get; init; }

    public bool CheckOnly { get; init; }

    public TunnelUpdate? Update { get; init; }

    public string? Text { get; init; }

    public string? Path { get; init; }
}

/// <summary>The reply to a <see cref="ControlRequest"/>, one line of JSON: the error, or the member the operation fills.</summary>
public sealed record ControlResponse
{
    public ControlError? Error { get; init; }

    public TunnelReport? Report { get; init; }

    public PeerStatus? Peer { get; init; }

    public IReadOnlyList<TunnelLogEntry>? Log { get; init; }

    public TunnelConfiguration? Configuration { get; init; }

    public bool? Removed { get; init; }

    public IReadOnlyList<string>? Warnings { get; init; }

    public IReadOnlyList<ControlError>? Problems { get; init; }
}

/// <summary>An exception as it crosses the socket: enough to throw the same kind again on the other side.</summary>
public sealed record ControlError(string Kind, string Message)
{
    public string? Key { get; init; }

    public string? File { get; init; }

    public int Line { get; init; }

    public TunnelError? Error { get; init; }

    public FileProblem? FileProblem { get; init; }

    public string? Reason { get; init; }

    public int Errno { get; init; }

    public static ControlError Of(Exception error) => error switch
    {
        ConfigurationException c => new("configuration", c.Message) { Key = c.Key, File = c.File, Line = c.Line },
        KeyFormatException k => new("key", k.Message) { Key = k.Parameter, Reason = k.Reason },
        TunnelException t => new("tunnel", t.Message) { Error = t.Error },
        SafeFileException f => new("file", f.Message) { File = f.Path, FileProblem = f.Problem, Reason = f.Reason, Errno = f.Errno },
        UapiException u => new("tunnel", u.Message) { Error = u.Errno == UapiException.EACCES ? TunnelError.PermissionDenied : TunnelError.InvalidOptions },
        _ => new("tunnel", error.Message) { Error = TunnelError.System },
    };

    /// <summary>The exception this stands for, of the kind it was thrown as.</summary>
    public Exception ToException() => Kind switch
    {
        "configuration" => ConfigurationException.Rebuilt(Message, File, Line, Key ?? string.Empty),
        "key" => new KeyFormatException(Reason ?? Message, Key),
        "file" => new SafeFileException(FileProblem ?? Configuration.FileProblem.Failed, File ?? string.Empty, Reason ?? Message, Errno),
        _ => new TunnelException(Error ?? TunnelError.System, Message),
    };
}
