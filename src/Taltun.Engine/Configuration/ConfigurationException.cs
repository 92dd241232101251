namespace Taltun.Configuration;

/// <summary>
/// A configuration that cannot be used, thrown before anything on the system is touched. The
/// message names where (file and line, or the parameter), which key, what is wrong and how to
/// fix it; it never contains key material.
/// </summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string? file, int line, string key, string problem)
        : base(Format(file, line, key, problem))
    {
        File = file;
        Line = line;
        Key = key;
    }

    private ConfigurationException(string message, string? file, int line, string key)
        : base(message)
    {
        File = file;
        Line = line;
        Key = key;
    }

    /// <summary>The same error again from its parts (it came from a tunnel of another process).</summary>
    public static ConfigurationException Rebuilt(string message, string? file, int line, string key) => new(message, file, line, key);

    /// <summary>The file, or null when the value came from a parameter.</summary>
    public string? File { get; }

    /// <summary>1-based line in <see cref="File"/>, or 0.</summary>
    public int Line { get; }

    /// <summary>The TOML key (e.g. "interface.mtu", "peers[2].public_key"), or the parameter name.</summary>
    public string Key { get; }

    private static string Format(string? file, int line, string key, string problem) => file is null
        ? $"{key}: {problem}"
        : line > 0 ? $"{file}:{line}: {key}: {problem}" : $"{file}: {key}: {problem}";
}
