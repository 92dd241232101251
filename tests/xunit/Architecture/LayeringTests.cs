using System.Text.RegularExpressions;

namespace Taltun.Tests.Architecture;

/// <summary>
/// The engine's folders are layers, and dependencies run one way: a folder may use only folders
/// of a lower tier (as wireguard-go's conn/ and tun/ never import device/). The README's
/// development notes draw the same table; a new folder must be placed in it here.
/// </summary>
public partial class LayeringTests
{
    /// <summary>Folder → tier. Lower tiers never reference higher ones; a tier does not reference itself.</summary>
    public static readonly IReadOnlyDictionary<string, int> Tiers = new Dictionary<string, int>
    {
        ["Foundation"] = 0,
        ["Interop"] = 1,
        ["Crypto"] = 1,
        ["Routing"] = 1,
        ["Offload"] = 2,
        ["Transport"] = 3,
        ["Tun"] = 3,
        ["Netlink"] = 3,
        ["Protocol"] = 4,
        ["Configuration"] = 5,
        ["Device"] = 6,
        ["Control"] = 7,
    };

    [Fact]
    public void EveryEngineFolderHasATier()
    {
        var unplaced = Directory.GetDirectories(EngineSource)
            .Select(d => Path.GetFileName(d))
            .Where(f => f is not ("bin" or "obj") && !Tiers.ContainsKey(f))
            .ToList();

        Assert.Empty(unplaced);
    }

    [Fact]
    public void NoFolderUsesAFolderOfItsOwnOrAHigherTier()
    {
        var violations = new List<string>();
        foreach ((string folder, int tier) in Tiers)
        {
            foreach (string file in Directory.GetFiles(Path.Combine(EngineSource, folder), "*.cs", SearchOption.AllDirectories))
            {
                foreach (string used in ReferencedFolders(File.ReadAllText(file), folder))
                {
                    if (Tiers[used] >= tier)
                    {
                        violations.Add($"{folder}/{Path.GetFileName(file)} uses {used}");
                    }
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void TheCheckSeesImportsQualifiedNamesAndStaticImportsButNotComments()
    {
        const string code = """
            using Taltun.Foundation;
            using static Taltun.Protocol.MessageLayout;
            // Device.Tunnel in a comment does not count, nor does a <see cref="Tun.TunDevice"/>.
            namespace Taltun.Transport;
            internal sealed class X { object y = Configuration.Limits.MaxMtu; string s = "Netlink.Foo"; }
            """;

        Assert.Equal(["Configuration", "Foundation", "Protocol"], ReferencedFolders(code, "Transport").Order());
    }

    /// <summary>The engine folders a source file refers to in code (not comments or strings), other than its own.</summary>
    public static IEnumerable<string> ReferencedFolders(string source, string ownFolder)
    {
        string code = CommentsAndStrings().Replace(source, " ");
        var used = new HashSet<string>();
        foreach (Match match in QualifiedName().Matches(code))
        {
            string folder = match.Groups["folder"].Value;
            if (Tiers.ContainsKey(folder) && folder != ownFolder)
            {
                used.Add(folder);
            }
        }

        return used;
    }

    private static string EngineSource
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Taltun.sln")))
            {
                directory = directory.Parent;
            }

            return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Taltun.sln not found above the test assembly."), "src", "Taltun.Engine");
        }
    }

    // Line and block comments (doc comments included), then string and character literals.
    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@?""(?:[^""\\\n]|\\.)*""|'(?:[^'\\\n]|\\.)'", RegexOptions.Singleline)]
    private static partial Regex CommentsAndStrings();

    // "Taltun.X" anywhere (using directives, fully qualified names), or "X." at the start of a
    // qualified name inside the Taltun namespace (e.g. Configuration.Limits).
    [GeneratedRegex(@"\bTaltun\.(?<folder>[A-Z]\w*)|(?<![\w.])(?<folder>[A-Z]\w*)\.(?=[A-Z])")]
    private static partial Regex QualifiedName();
}
