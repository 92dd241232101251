using CsCheck;
using Taltun.Configuration;
using Taltun.Crypto;

namespace Taltun.Tests.Configuration;

/// <summary>
/// No part of a private or preshared key appears in an error, whatever is wrong with the file
/// around it or with the key itself: a message may go to a terminal, a journal or a ticket.
/// </summary>
public sealed class SecretsInMessagesTests : IDisposable
{
    private static readonly string PeerKey = PrivateKey.Generate().PublicKey.ToBase64();

    private readonly string _directory = Directory.CreateTempSubdirectory("taltun-secrets-").FullName;

    /// <summary>Where a key is written: the configuration's own keys, a wg-quick file's, a key file, a parameter, or where a name or value belongs.</summary>
    private enum Position
    {
        InterfacePrivateKey,
        PeerPresharedKey,
        WgQuickPrivateKey,
        WgQuickPresharedKey,
        PrivateKeyFile,
        PrivateKeyParameter,
        AsKeyName,
        AsTableName,
        WgQuickAsKeyName,
        WgQuickAsSection,
        WgQuickAsValue,
        WgQuickAsLine,
    }

    /// <summary>wg-quick keys whose value a careless user may replace by a key.</summary>
    private static readonly string[] WgQuickValueKeys = ["Address", "DNS", "ListenPort", "MTU", "Table", "FwMark", "SaveConfig", "Endpoint", "AllowedIPs", "PersistentKeepalive"];

    /// <summary>What else is wrong with the file besides (or instead of) the key.</summary>
    private enum Damage
    {
        None,
        KeyLineTwice,
        TableRepeatedAfterIt,
        MtuOutOfRange,
        NoVirtualIP,
        UnknownKey,
        SyntaxErrorAtEnd,
        PeerWithoutPublicKey,
    }

    [Fact]
    public void APrivateKeyWrittenTwiceIsReportedWithoutQuotingIt()
    {
        string Message(string key) => ErrorOf($"[interface]\nvip = \"10.0.0.1\"\nprivate_key = \"{key}\"\nmtu = 1400\nprivate_key = \"{key}\"\n");

        string message = Message(NewKeyText(hex: false));
        Assert.StartsWith("hub.toml:5: ", message);
        Assert.Contains("private_key", message);
        KeyLeaks.AssertNone(Message, () => NewKeyText(hex: false));
    }

    [Fact]
    public void AnUnquotedKeyOrAMalformedWgQuickFileIsReportedWithoutTheKeysLetters()
    {
        string Unquoted(string key) => ErrorOf($"[interface]\nvip = \"10.0.0.1\"\nprivate_key = {key}\n");
        string WgQuick(string key) => ErrorOf($"[Interface]\nPrivateKey = {key}\nAddress = 10.0.0.1/24\nPrivateKey = {key}\nListenPort = 51820\n");

        Assert.StartsWith("hub.toml:3: ", Unquoted(NewKeyText(hex: false)));
        Assert.StartsWith("hub.toml:4: [Interface] PrivateKey: set twice", WgQuick(NewKeyText(hex: false)));
        Assert.Equal(string.Empty, ErrorOf($"[Interface]\nPrivateKey = {NewKeyText(hex: false)}\nAddress = 10.0.0.1/24\nListenPort = 51820\n"));
        KeyLeaks.AssertNone(Unquoted, () => NewKeyText(hex: false));
        KeyLeaks.AssertNone(Unquoted, () => NewKeyText(hex: true));
        KeyLeaks.AssertNone(WgQuick, () => NewKeyText(hex: false));
    }

    [Fact]
    public void AKeyPastedWhereAnAddressOrNameBelongsIsNotEchoed()
    {
        foreach (string line in new[] { "vip = \"{0}\"", "tun_name = \"{0}\"", "local_addr = \"{0}\"", "routes = [\"{0}\"]", "{0} = 1", "mode = \"{0}\"" })
        {
            string Message(string key) => ErrorOf($"[interface]\nprivate_key = \"{NewKeyText(hex: false)}\"\nvip = \"10.0.0.1\"\n".Replace("vip = \"10.0.0.1\"\n", line.StartsWith("vip", StringComparison.Ordinal) ? string.Empty : "vip = \"10.0.0.1\"\n") + string.Format(System.Globalization.CultureInfo.InvariantCulture, line, key) + "\n");
            KeyLeaks.AssertNone(Message, () => NewKeyText(hex: true));
            KeyLeaks.AssertNone(Message, () => NewKeyText(hex: false));
        }

        string PeerMessage(string key) => ErrorOf($"[interface]\nprivate_key = \"{NewKeyText(hex: false)}\"\nvip = \"10.0.0.1\"\n[[peers]]\npublic_key = \"{PeerKey}\"\nendpoint = \"{key}\"\n");
        KeyLeaks.AssertNone(PeerMessage, () => NewKeyText(hex: false));
    }

    [Fact]
    public void NoMalformedConfigurationQuotesAnyPartOfAKey()
    {
        var cases = Gen.Select(Gen.Enum<Position>(), Gen.Int[0, Writings.Length - 1], Gen.Enum<Damage>(), Gen.Bool, Gen.Int[0, WgQuickValueKeys.Length - 1], (position, writing, damage, hex, valueKey) => (position, writing, damage, hex, valueKey));

        cases.Sample(
            c =>
            {
                string keyFile = $"{Guid.NewGuid():N}.key";
                string Message(string key) => ErrorFor(c.position, Writings[c.writing](key), c.damage, keyFile, WgQuickValueKeys[c.valueKey]);
                string key = NewKeyText(c.hex);
                string message = Message(key);
                string control = Message(NewKeyText(c.hex));
                IReadOnlyList<string> leaked = KeyLeaks.Find(key, message, control);
                Assert.True(leaked.Count == 0, $"{c}: the error gives away {string.Join(", ", leaked)}: {message}");
            },
            iter: 2500);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Ways a careless user writes a key value: right, unquoted, half-quoted, mistyped, wrapped.</summary>
    private static readonly Func<string, string>[] Writings =
    [
        k => $"\"{k}\"",
        k => k,
        k => $"'{k}'",
        k => $"\"{k}",
        k => $"'{k}",
        k => $"\"\"\"{k}",
        k => $"\"{k}!\"",
        k => $"\"{k[..^3]}\"",
        k => $"\"{k}{k}\"",
        k => $"[\"{k}\"]",
        k => $"{{ a = \"{k}\" }}",
        k => $"\"{k}\" x",
        k => $"\"\\q{k}\"",
        k => $"\"{k}\"\"",
        k => $"0x{k}",
        k => $"\"{k[..20]}#{k[21..]}\"",
        k => $"\"{k[..20]}\n{k[20..]}\"",
        k => $"{k[..20]} {k[20..]}",
    ];

    private static string NewKeyText(bool hex)
    {
        using PrivateKey key = PrivateKey.Generate();
        return hex ? key.ToHex() : key.ToBase64();
    }

    /// <summary>The error a configuration file gives (reading it, then turning it into options), or "" if it gives none.</summary>
    private static string ErrorOf(string text, string path = "hub.toml")
    {
        try
        {
            ConfigurationFile.Parse(text, path).ToOptions();
            return string.Empty;
        }
        catch (ConfigurationException e)
        {
            return e.Message;
        }
    }

    private string ErrorFor(Position position, string value, Damage damage, string keyFile, string wgQuickKey)
    {
        string wgQuickHead = $"[Interface]\nPrivateKey = {NewKeyText(hex: false)}\nAddress = 10.0.0.1/24\n";
        string path = Path.Combine(_directory, "hub.toml");
        switch (position)
        {
            case Position.PrivateKeyParameter:
                try
                {
                    using PrivateKey parsed = ParameterValues.PrivateKey(value, "PrivateKey");
                    return string.Empty;
                }
                catch (KeyFormatException e)
                {
                    return e.Message;
                }

            case Position.PrivateKeyFile:
                File.WriteAllText(Path.Combine(_directory, keyFile), value);
                return ErrorOf(Damaged($"[interface]\nvip = \"10.0.0.1\"\nprivate_key_file = \"{keyFile}\"\n", $"private_key_file = \"{keyFile}\"", "[interface]", damage), path);
            case Position.WgQuickPrivateKey:
                return ErrorOf(Damaged($"[Interface]\nPrivateKey = {value}\nAddress = 10.0.0.1/24\nListenPort = 51820\n", $"PrivateKey = {value}", "[Interface]", damage), path);
            case Position.WgQuickPresharedKey:
                return ErrorOf(Damaged($"[Interface]\nAddress = 10.0.0.1/24\n\n[Peer]\nPublicKey = {PeerKey}\nPresharedKey = {value}\nAllowedIPs = 10.0.0.2/32\n", $"PresharedKey = {value}", "[Peer]", damage), path);
            case Position.WgQuickAsKeyName:
                return ErrorOf(Damaged($"{wgQuickHead}{value} = 1\n", $"{value} = 1", "[Interface]", damage), path);
            case Position.WgQuickAsSection:
                return ErrorOf(Damaged($"{wgQuickHead}[{value}]\nMTU = 1400\n", $"[{value}]", "[Interface]", damage), path);
            case Position.WgQuickAsLine:
                return ErrorOf(Damaged($"{wgQuickHead}{value}\n", value, "[Interface]", damage), path);
            case Position.WgQuickAsValue:
                string section = wgQuickKey is "Endpoint" or "AllowedIPs" or "PersistentKeepalive" ? $"[Peer]\nPublicKey = {PeerKey}\n" : string.Empty;
                return ErrorOf(Damaged($"{wgQuickHead}{section}{wgQuickKey} = {value}\n", $"{wgQuickKey} = {value}", section.Length > 0 ? "[Peer]" : "[Interface]", damage), path);
            case Position.PeerPresharedKey:
                return ErrorOf(Damaged($"[interface]\nvip = \"10.0.0.1\"\nprivate_key = \"{NewKeyText(hex: false)}\"\n\n[[peers]]\npublic_key = \"{PeerKey}\"\nvip = \"10.0.0.2\"\npreshared_key = {value}\n", $"preshared_key = {value}", "[peers]", damage), path);
            case Position.AsKeyName:
                return ErrorOf(Damaged($"[interface]\nvip = \"10.0.0.1\"\n{value} = \"x\"\n", $"{value} = \"x\"", "[interface]", damage), path);
            case Position.AsTableName:
                return ErrorOf(Damaged($"[interface]\nvip = \"10.0.0.1\"\n[{value}]\nmtu = 1400\n", $"[{value}]", "[interface]", damage), path);
            default:
                return ErrorOf(Damaged($"[interface]\nvip = \"10.0.0.1\"\nprivate_key = {value}\nmtu = 1400\n", $"private_key = {value}", "[interface]", damage), path);
        }
    }

    /// <summary><paramref name="text"/> with <paramref name="damage"/> done to it, in its own format's words (a wg-quick file's start with [Interface]).</summary>
    private static string Damaged(string text, string keyLine, string table, Damage damage) => text.StartsWith("[Interface]", StringComparison.Ordinal)
        ? damage switch
        {
            Damage.KeyLineTwice => text + keyLine + "\n",
            Damage.TableRepeatedAfterIt => text + table + "\n",
            Damage.MtuOutOfRange => text.Replace("Address = 10.0.0.1/24\n", "Address = 10.0.0.1/24\nMTU = 99999\n"),
            Damage.NoVirtualIP => text.Replace("Address = 10.0.0.1/24\n", string.Empty),
            Damage.UnknownKey => text + "Colour = blue\n",
            Damage.SyntaxErrorAtEnd => text + "MTU\n",
            Damage.PeerWithoutPublicKey => text + "\n[Peer]\nAllowedIPs = 10.0.0.9/32\n",
            _ => text,
        }
        : damage switch
        {
            Damage.KeyLineTwice => text + keyLine + "\n",
            Damage.TableRepeatedAfterIt => text + table + "\n",
            Damage.MtuOutOfRange => text.Replace("vip = \"10.0.0.1\"\n", "vip = \"10.0.0.1\"\nmtu = 99999\n"),
            Damage.NoVirtualIP => text.Replace("vip = \"10.0.0.1\"\n", string.Empty),
            Damage.UnknownKey => text + "colour = \"blue\"\n",
            Damage.SyntaxErrorAtEnd => text + "mtu = \n",
            Damage.PeerWithoutPublicKey => text + "\n[[peers]]\nvip = \"10.0.0.9\"\n",
            _ => text,
        };
}
