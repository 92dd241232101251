using System.Diagnostics;
using System.Text.Json;
using Taltun.Configuration;
using Taltun.Foundation;

namespace Taltun.Device;

/// <summary>
/// A tunnel's DNS settings (name servers, search domains) applied while it runs and restored
/// exactly when it stops, as wg-quick applies its DNS line: through systemd-resolved where it runs,
/// else through resolvconf; a tunnel in a named namespace writes /etc/netns/NAME/resolv.conf
/// instead, keeping the file that was there (content and mode) to put back. Before changing
/// anything it records under /run/taltun what to undo (<see cref="RuntimeState"/>), so if the
/// process dies, the next tunnel to start puts things back (<see cref="RecoverAbandoned"/>).
/// A resolv.conf changed by someone else meanwhile is left as they made it, with a warning; a
/// record whose undoing failed stays, so a later start tries again.
/// Thread-safe: Apply and Restore take a lock, recovery a process-wide one; Restore is idempotent.
/// Long because each of the three methods is applied, undone and recovered here side by side:
/// what is done and how it is undone read together.
/// </summary>
internal sealed class DnsConfiguration
{
    public const string Purpose = "dns";

    /// <summary>Taken while abandoned records are recovered, so two tunnels starting at once do not undo one record twice.</summary>
    private static readonly Lock Recovering = new();

    private readonly DnsSystem _system;
    private readonly DnsSettings _settings;
    private readonly string _interfaceName;
    private readonly string? _namespace;
    private readonly TunnelLog _log;
    private readonly Lock _lock = new();
    private bool _applied;

    private DnsConfiguration(DnsSystem system, DnsSettings settings, DnsMethod method, string interfaceName, string? networkNamespace, TunnelLog log)
    {
        _system = system;
        _settings = settings;
        Method = method;
        _interfaceName = interfaceName;
        _namespace = networkNamespace;
        _log = log;
    }

    public DnsMethod Method { get; }

    private string StatePath => RuntimeState.PathOf(_system.StateRoot, _namespace, _interfaceName, Purpose);

    /// <summary>
    /// How this tunnel's DNS will be applied, or null without DNS settings; throws
    /// <see cref="TunnelException"/> (InvalidOptions) if it cannot be, before anything changes.
    /// First puts back what dead processes left (<see cref="RecoverAbandoned"/>).
    /// </summary>
    public static DnsConfiguration? Plan(TunnelOptions options, DnsSystem system, TunnelLog log)
    {
        RecoverAbandoned(system, log);
        if (options.Dns is not { } settings)
        {
            return null;
        }

        DnsMethod method;
        if (options.NetworkNamespace is { } name)
        {
            if (!RuntimeState.IsNamespaceName(name))
            {
                throw new TunnelException(TunnelError.InvalidOptions, $"DNS for a tunnel in a namespace goes to /etc/netns/NAME/resolv.conf, so the namespace needs a name (as ip netns add gives), not a path; give -NetworkNamespace its name, or remove the DNS settings.");
            }

            method = DnsMethod.NamespaceFile;
        }
        else if (system.Resolvectl is not null && File.Exists(system.ResolvedSocket))
        {
            method = DnsMethod.Resolvectl;
        }
        else if (system.Resolvconf is not null)
        {
            method = DnsMethod.Resolvconf;
        }
        else
        {
            throw new TunnelException(TunnelError.InvalidOptions, "DNS settings need systemd-resolved (resolvectl) or resolvconf, and this host has neither: install one (apt install systemd-resolved, or openresolv), or remove the DNS settings.");
        }

        var dns = new DnsConfiguration(system, settings, method, options.InterfaceName, options.NetworkNamespace, log);
        if (method == DnsMethod.NamespaceFile && dns.NamespaceFileProblem() is { } problem)
        {
            throw new TunnelException(TunnelError.InvalidOptions, problem);
        }

        return dns;
    }

    /// <summary>Records what to undo, then applies the settings; throws <see cref="TunnelException"/> (DnsFailed) having undone what it did.</summary>
    public void Apply()
    {
        lock (_lock)
        {
            string statePath = StatePath;
            if (File.Exists(statePath))
            {
                DnsRecord earlier = Read(statePath);
                if (!RuntimeState.IsAbandoned(earlier.Pid, earlier.ProcessStart) && earlier.Pid != Environment.ProcessId)
                {
                    throw new TunnelException(TunnelError.DnsFailed, $"Process {earlier.Pid} holds the DNS settings of a tunnel named '{_interfaceName}' here ({statePath}); stop that tunnel first.");
                }

                Undo(earlier, _system, _log, interfaceUp: false);
            }

            DnsRecord record = Prepare();
            RuntimeState.Write(_system.StateRoot, statePath, JsonSerializer.Serialize(record));
            _applied = true;
            try
            {
                Set(record);
            }
            catch (TunnelException)
            {
                RestoreLocked();
                throw;
            }

            _log.Information($"DNS for '{_interfaceName}' ({Describe(Method, _namespace)}): {string.Join(", ", _settings.Entries)}.");
        }
    }

    /// <summary>Puts back what <see cref="Apply"/> changed; returns a problem to report, or null. Does nothing twice.</summary>
    public string? Restore()
    {
        lock (_lock)
        {
            return RestoreLocked();
        }
    }

    /// <summary>Puts back the DNS changes of every tunnel whose process ended without stopping it; each is logged.</summary>
    public static void RecoverAbandoned(DnsSystem system, TunnelLog log)
    {
        lock (Recovering)
        {
            RecoverAbandonedLocked(system, log);
        }
    }

    private static void RecoverAbandonedLocked(DnsSystem system, TunnelLog log)
    {
        foreach (string path in RuntimeState.Find(system.StateRoot, Purpose))
        {
            DnsRecord record;
            try
            {
                record = Read(path);
            }
            catch (Exception e) when (e is JsonException or SafeFileException or TunnelException)
            {
                log.Warning($"{path} is not a DNS record Taltun can use ({e.Message}); remove it.");
                continue;
            }

            if (RuntimeState.IsAbandoned(record.Pid, record.ProcessStart))
            {
                log.Warning($"Tunnel '{record.Tunnel}' ended with its process ({record.Pid}) without stopping; putting back the DNS settings it changed ({Describe(record.Method, record.Namespace)}).");
                Undo(record, system, log, interfaceUp: false);
            }
        }
    }

    private static string Describe(DnsMethod method, string? networkNamespace) => method switch
    {
        DnsMethod.Resolvectl => "systemd-resolved",
        DnsMethod.Resolvconf => "resolvconf",
        _ => $"/etc/netns/{networkNamespace}/resolv.conf",
    };

    private string? RestoreLocked()
    {
        if (!_applied)
        {
            return null;
        }

        _applied = false;
        return Undo(Read(StatePath), _system, _log, interfaceUp: true);
    }

    /// <summary>What to record before changing anything: the method, the owner, and for a namespace file what was there.</summary>
    private DnsRecord Prepare()
    {
        (int pid, long start) = RuntimeState.Owner;
        var record = new DnsRecord
        {
            Method = Method,
            Tunnel = _interfaceName,
            Namespace = _namespace,
            Pid = pid,
            ProcessStart = start,
        };
        if (Method != DnsMethod.NamespaceFile)
        {
            return record;
        }

        string file = NamespaceFile(_system, _namespace!);
        bool existed = File.Exists(file);
        return record with
        {
            Existed = existed,
            Original = existed ? ReadNamespaceFile(file) : null,
            OriginalMode = existed ? (int)File.GetUnixFileMode(file) : 0,
            Written = $"# Written by Taltun for tunnel {_interfaceName}; put back when it stops.\n{_settings.ToResolvConf()}",
            CreatedDirectories = [.. MissingDirectories(Path.GetDirectoryName(file)!)],
        };
    }

    private void Set(DnsRecord record)
    {
        switch (Method)
        {
            case DnsMethod.Resolvectl:
                Run(_system.Resolvectl!, null, ["dns", _interfaceName, .. _settings.Servers.Select(s => s.ToString())]);
                Run(_system.Resolvectl!, null, ["domain", _interfaceName, .. _settings.SearchDomains, "~."]);
                break;
            case DnsMethod.Resolvconf:
                // As wg-quick: a record for the interface, first in order (-m 0), exclusive (-x).
                Run(_system.Resolvconf!, _settings.ToResolvConf(), ["-a", $"tun.{_interfaceName}", "-m", "0", "-x"]);
                break;
            default:
                foreach (string directory in record.CreatedDirectories)
                {
                    Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                }

                WriteNamespaceFile(NamespaceFile(_system, _namespace!), record.Written!, PublicFile);
                break;
        }
    }

    /// <summary>
    /// Puts back what <paramref name="record"/> says was changed and removes the record, unless
    /// putting back failed (then a later start tries again); returns a problem to report, or null.
    /// <paramref name="interfaceUp"/> is false for a dead process's tunnel, whose interface went
    /// with it (and systemd-resolved's settings with the interface).
    /// </summary>
    private static string? Undo(DnsRecord record, DnsSystem system, TunnelLog log, bool interfaceUp)
    {
        string? problem = null;
        bool failed = false;
        try
        {
            switch (record.Method)
            {
                case DnsMethod.Resolvectl:
                    if (interfaceUp && system.Resolvectl is not null)
                    {
                        Run(system.Resolvectl, null, ["revert", record.Tunnel]);
                    }

                    break;
                case DnsMethod.Resolvconf:
                    if (system.Resolvconf is not null)
                    {
                        Run(system.Resolvconf, null, ["-d", $"tun.{record.Tunnel}", "-f"]);
                    }

                    break;
                default:
                    problem = UndoNamespaceFile(record, system);
                    break;
            }
        }
        catch (TunnelException e)
        {
            problem = $"{e.Message} Its record {RuntimeState.PathOf(system.StateRoot, record.Namespace, record.Tunnel, Purpose)} stays, so the next tunnel to start tries again.";
            failed = true;
        }

        if (problem is not null)
        {
            log.Warning(problem);
        }

        if (!failed)
        {
            RuntimeState.Delete(system.StateRoot, RuntimeState.PathOf(system.StateRoot, record.Namespace, record.Tunnel, Purpose));
        }

        return problem;
    }

    private static string? UndoNamespaceFile(DnsRecord record, DnsSystem system)
    {
        if (record.Namespace is not { } name || !RuntimeState.IsNamespaceName(name))
        {
            return $"The DNS record of tunnel '{record.Tunnel}' names no namespace; nothing was put back.";
        }

        string file = NamespaceFile(system, name);
        string? now = File.Exists(file) ? ReadNamespaceFile(file) : null;
        if (now != record.Written)
        {
            return now is null
                ? null
                : $"{file} was changed while tunnel '{record.Tunnel}' ran; it is left as it is now, not put back.";
        }

        if (record.Existed)
        {
            WriteNamespaceFile(file, record.Original ?? string.Empty, (UnixFileMode)record.OriginalMode);
            return null;
        }

        File.Delete(file);
        foreach (string directory in Enumerable.Reverse(record.CreatedDirectories).Where(d => d.StartsWith(system.NamespaceConfigRoot, StringComparison.Ordinal)))
        {
            if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
        }

        return null;
    }

    /// <summary>Null if this tunnel's namespace file can be written safely: no link, and nobody but root (or this user) can change it or a directory above it.</summary>
    private string? NamespaceFileProblem()
    {
        string file = NamespaceFile(_system, _namespace!);
        if (new FileInfo(file).LinkTarget is { } target)
        {
            return $"{file} is a symbolic link (to {target}); Taltun does not write DNS settings through links. Remove the link, or remove the DNS settings.";
        }

        string? existing = file;
        while (existing is not null && !Path.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing);
        }

        return existing is not null && TrustedPath.Problem(existing) is { } problem
            ? $"Taltun writes the namespace's DNS settings as root, but {problem}"
            : null;
    }

    private static string NamespaceFile(DnsSystem system, string name) => Path.Combine(system.NamespaceConfigRoot, name, "resolv.conf");

    private const UnixFileMode PublicFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private static string ReadNamespaceFile(string file)
    {
        try
        {
            return SafeFile.ReadText(file);
        }
        catch (SafeFileException e)
        {
            throw new TunnelException(TunnelError.DnsFailed, $"{e.Message} Taltun cannot keep it to put back, so it changes nothing.", e);
        }
    }

    private static void WriteNamespaceFile(string file, string text, UnixFileMode mode)
    {
        try
        {
            SafeFile.WriteText(file, text, new FileWriteOptions { Mode = mode });
        }
        catch (SafeFileException e)
        {
            throw new TunnelException(TunnelError.DnsFailed, $"Writing DNS settings to {e.Path} failed: {e.Reason}", e);
        }
    }

    private static List<string> MissingDirectories(string directory)
    {
        var missing = new List<string>();
        for (string? path = directory; path is not null && !Directory.Exists(path); path = Path.GetDirectoryName(path))
        {
            missing.Insert(0, path);
        }

        return missing;
    }

    private static DnsRecord Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<DnsRecord>(SafeFile.ReadText(path)) ?? throw new JsonException("empty");
        }
        catch (SafeFileException e)
        {
            throw new TunnelException(TunnelError.DnsFailed, $"Reading {path} failed: {e.Reason}", e);
        }
    }

    /// <summary>Runs a DNS tool to its end; throws <see cref="TunnelException"/> (DnsFailed) with its error output if it fails.</summary>
    private static void Run(string program, string? input, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("no process");
            process.StandardInput.Write(input ?? string.Empty);
            process.StandardInput.Close();
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            _ = output.Result;
            if (process.ExitCode != 0)
            {
                throw new TunnelException(TunnelError.DnsFailed, $"'{program} {string.Join(' ', arguments)}' failed (exit code {process.ExitCode}): {error.Trim()}");
            }
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new TunnelException(TunnelError.DnsFailed, $"{program} could not run: {e.Message}", e);
        }
    }

    /// <summary>What /run/taltun keeps of a tunnel's DNS change: enough to undo it from another process.</summary>
    internal sealed record DnsRecord
    {
        public DnsMethod Method { get; init; }

        public string Tunnel { get; init; } = string.Empty;

        public string? Namespace { get; init; }

        public int Pid { get; init; }

        public long ProcessStart { get; init; }

        public bool Existed { get; init; }

        public string? Original { get; init; }

        public int OriginalMode { get; init; }

        public string? Written { get; init; }

        public IReadOnlyList<string> CreatedDirectories { get; init; } = [];
    }
}
