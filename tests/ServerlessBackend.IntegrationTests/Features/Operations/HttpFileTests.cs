using System.Text.RegularExpressions;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Operations;

/// <summary>The .http file beside the app lists every route the functions serve, nothing else, and the README quickstart's requests.</summary>
public sealed partial class HttpFileTests
{
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(RepoPaths.FunctionsProject, "ServerlessBackend.Functions.http"));

    /// <summary>Method and path of each request line, path parameters ({productId} or {{productId}}) as {}.</summary>
    private static HashSet<(string Method, string Path)> Requests =>
        [.. Lines.Select(l => RequestLine().Match(l)).Where(m => m.Success).Select(m => (m.Groups["method"].Value, Normalize(m.Groups["path"].Value)))];

    private static async Task<List<(string Name, string Method, string Path)>> HttpFunctionsAsync()
    {
        var functions = new List<(string, string, string)>();
        foreach (var function in FunctionsMetadata.RouteFunctions)
        {
            functions.AddRange((await FunctionsMetadata.ServedMethodsAsync(function)).Select(m => (function.Name, m, Normalize(function.Route))));
        }

        return functions;
    }

    [Fact]
    public async Task Every_method_of_every_http_function_has_a_request_in_the_http_file_and_every_request_is_served()
    {
        var requests = Requests;
        var functions = await HttpFunctionsAsync();

        Assert.All(functions, f => Assert.True(requests.Contains((f.Method, f.Path)), $"{f.Method} /api/{f.Path} ({f.Name}) has no request in ServerlessBackend.Functions.http"));
        Assert.All(requests, r => Assert.True(functions.Any(f => (f.Method, f.Path) == r), $"ServerlessBackend.Functions.http sends {r.Method} /api/{r.Path}, which no function serves"));
        Assert.True(functions.Count >= 16, $"only {functions.Count} HTTP functions found in functions.metadata");
    }

    [Fact]
    public void The_http_file_declares_the_base_url_and_the_token_variables_its_requests_use()
    {
        var declared = Lines.Select(l => Variable().Match(l)).Where(m => m.Success).Select(m => m.Groups["name"].Value).ToHashSet();
        var used = Lines.Where(l => !l.StartsWith('@')).SelectMany(l => Use().Matches(l)).Select(m => m.Groups["name"].Value).ToHashSet();

        Assert.Subset(declared, new HashSet<string> { "baseUrl", "adminToken", "customerToken" });
        Assert.Subset(declared, used);
        Assert.Contains("http://localhost:7071/api", Lines.Single(l => l.StartsWith("@baseUrl", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_quickstart_requests_are_in_the_http_file()
    {
        var readme = File.ReadAllText(RepoPaths.InRoot("README.md"));
        var quickstart = readme[readme.IndexOf("## Quickstart", StringComparison.Ordinal)..];
        quickstart = quickstart[..quickstart.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var curls = CurlCall().Matches(quickstart).Select(m => (m.Groups["method"].Success ? m.Groups["method"].Value : "GET", Normalize(m.Groups["path"].Value))).ToList();

        Assert.NotEmpty(curls);
        Assert.All(curls, c => Assert.Contains(c, Requests));
    }

    private static string Normalize(string path) => Parameter().Replace(path.Split('?')[0], "{}");

    [GeneratedRegex(@"^(?<method>GET|POST|PUT|PATCH|DELETE) \{\{baseUrl\}\}/(?<path>\S+)( HTTP/1\.1)?$")]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"\{\{?[^{}]+\}\}?")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"^@(?<name>\w+)\s*=")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\{\{(?<name>\w+)\}\}")]
    private static partial Regex Use();

    [GeneratedRegex(@"curl -s(?: -X (?<method>[A-Z]+))? localhost:7071/api/(?<path>\S+)")]
    private static partial Regex CurlCall();
}
