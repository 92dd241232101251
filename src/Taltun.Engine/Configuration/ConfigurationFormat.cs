namespace Taltun.Configuration;

/// <summary>The two configuration file formats Taltun reads and writes; a file's format is decided by its content.</summary>
public enum ConfigurationFormat
{
    /// <summary>Taltun's own TOML: [interface] and [[peers]].</summary>
    Toml,

    /// <summary>wg-quick's INI format: [Interface] and [Peer], the file WireGuard's tools and apps read.</summary>
    WgQuick,
}
