using System.Reflection;
using System.Text.RegularExpressions;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Infra;

/// <summary>functions/README.md's configuration table lists every setting the code declares and infra sets, and nothing else.</summary>
public sealed partial class ConfigurationTableTests
{
    private static readonly HashSet<string> Documented = ReadTable();

    [Fact]
    public void Every_setting_the_code_declares_is_documented()
    {
        var declared = typeof(AppSettings).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Concat(AppSettings.RequiredLocally);

        Assert.All(declared, name => Assert.True(Documented.Contains(name), $"functions/README.md's configuration table lacks {name}."));
    }

    [Fact]
    public void Every_setting_infra_provisions_is_documented()
    {
        Assert.All(AppSettingsOf.Compiled().Keys, name => Assert.True(Documented.Contains(name), $"functions/README.md's configuration table lacks {name}, which infra/ sets."));
    }

    [Fact]
    public void The_table_documents_no_setting_that_neither_the_code_nor_infra_knows()
    {
        var known = typeof(AppSettings).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Concat(AppSettings.RequiredLocally)
            .Concat(AppSettingsOf.Compiled().Keys)
            .ToHashSet();

        Assert.All(Documented, name => Assert.True(known.Contains(name), $"functions/README.md documents {name}, which nothing reads or sets."));
    }

    private static HashSet<string> ReadTable()
    {
        var readme = File.ReadAllText(RepoPaths.InRoot("functions/README.md"));
        var start = readme.IndexOf("\n## Configuration", StringComparison.Ordinal);
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        return SettingRow().Matches(section).Select(m => m.Groups["name"].Value).ToHashSet();
    }

    [GeneratedRegex(@"^\| `(?<name>[A-Za-z0-9_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex SettingRow();
}
