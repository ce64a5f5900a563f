using System.Reflection;
using System.Text.RegularExpressions;
using ServerlessBackend.Functions.Features.Catalog;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Foundation;

/// <summary>
/// In .NET, <c>$</c> also matches before a final line feed, so <c>^[A-Z]{3}$</c> accepts "EUR\n". The app's
/// patterns end with <c>\z</c> instead; these tests keep it that way for every pattern the app has, now and later.
/// </summary>
public sealed partial class PatternAnchorsTests
{
    [Fact]
    public void No_pattern_of_the_app_uses_a_dollar_anchor()
    {
        var patterns = AppPatterns();

        Assert.NotEmpty(patterns);
        Assert.All(patterns, p => Assert.False(BareDollar().IsMatch(p.Pattern), $"{p.Method} uses '$', which matches before a final line feed: end it with \\z"));
    }

    [Fact]
    public void Every_pattern_of_the_app_is_compiled_at_build_time_so_the_test_above_sees_it()
    {
        // A Regex built at run time (new Regex, Regex.IsMatch(text, pattern)) would escape the check above.
        var offenders = Directory.EnumerateFiles(RepoPaths.FunctionsProject, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => RuntimeRegex().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(RepoPaths.FunctionsProject, f))
            .ToList();

        Assert.Empty(offenders);
    }

    private static List<(MethodInfo Method, string Pattern)> AppPatterns() =>
        typeof(ProductRules).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<GeneratedRegexAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (x.Method, x.Attribute!.Pattern))
            .ToList();

    // A '$' not escaped by a backslash.
    [GeneratedRegex(@"(?<!\\)\$")]
    private static partial Regex BareDollar();

    [GeneratedRegex(@"new\s+Regex\s*\(|\bRegex\s*\.\s*(IsMatch|Match|Matches|Replace|Split|Count|EnumerateMatches)\s*\(")]
    private static partial Regex RuntimeRegex();
}
