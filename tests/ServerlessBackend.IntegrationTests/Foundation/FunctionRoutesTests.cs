using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing.Template;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.LocalHost;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Foundation;

/// <summary>
/// No request can match the routes of two HTTP functions, so no answer depends on the order in which the host tries
/// them (by function name: tests/README.md, "The local host"). Proven over the generated functions.metadata with the
/// host's own template parser: two plain templates overlap only if they have as many segments and each pair is two
/// equal literals (ignoring case) or has a parameter; the one catch-all's regex constraint must refuse exactly the
/// paths of every other route (each as a regex: literals escaped, a parameter one non-empty segment). The same check
/// run over the app as it was before issue 17 (one function per method, an unconstrained {*path}) finds the overlaps.
/// </summary>
public sealed class FunctionRoutesTests
{
    private const string CatchAllPrefix = "regex(^(?!(?:";
    private const string CatchAllSuffix = ")/?$))";

    private static readonly string PerMethodFixture = RepoPaths.InRoot("tests", "ServerlessBackend.IntegrationTests", "Foundation", "Fixtures", "per-method-functions.metadata");

    private static readonly IReadOnlyList<HttpFunction> AppFunctions = HostRoutes.Load(RepoPaths.FunctionsOutput).Functions;

    [Fact]
    public void No_request_path_can_match_the_routes_of_two_http_functions()
    {
        Assert.Empty(Overlaps(AppFunctions));
        Assert.True(AppFunctions.Count >= 15, $"only {AppFunctions.Count} HTTP functions in functions.metadata");
    }

    [Fact]
    public void No_http_function_lists_methods_so_the_host_sends_each_path_every_method_to_one_function()
    {
        Assert.All(AppFunctions, f => Assert.True(f.Methods is null, $"{f.Name} lists methods {string.Join(", ", f.Methods ?? [])}: its route's other methods would go to no function or another"));
    }

    [Fact]
    public void The_catch_all_is_the_route_in_ApiRoutes_and_excludes_each_route_once()
    {
        var catchAll = Assert.Single(AppFunctions, f => IsCatchAll(TemplateParser.Parse(f.Route)));
        var excluded = ExcludedPaths(TemplateParser.Parse(catchAll.Route));

        Assert.Equal((UnmatchedRouteFunction.Name, ApiRoutes.Unmatched), (catchAll.Name, catchAll.Route));
        Assert.Equal(excluded!.Count, excluded.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(
            AppFunctions.Where(f => f.Name != catchAll.Name).Select(f => AsRegex(TemplateParser.Parse(f.Route))).Order(StringComparer.Ordinal),
            excluded.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("A%2Fb")]
    [InlineData("x y")]
    [InlineData("%C3%A9")]
    [InlineData("health")]
    [InlineData("ready")]
    public async Task A_path_of_a_route_with_any_parameter_value_reaches_that_function_alone_in_the_hosts_routing(string value)
    {
        var routes = HostRoutes.Load(RepoPaths.FunctionsOutput);

        foreach (var function in routes.Functions.Where(f => f.Name != UnmatchedRouteFunction.Name))
        {
            var path = "/api/" + Regex.Replace(function.Route, @"\{[^}]+\}", value);
            foreach (var variant in new[] { path, path + "/", path.ToUpperInvariant() })
            {
                var match = await routes.MatchAsync("PUT", variant);
                Assert.True(match?.Function.Name == function.Name, $"PUT {variant}: {match?.Function.Name ?? "the host's 404"}, not {function.Name}");
            }
        }
    }

    [Fact]
    public void The_same_check_finds_the_overlaps_of_the_app_before_issue_17()
    {
        var overlaps = Overlaps(HostRoutes.ReadHttpFunctions(PerMethodFixture));

        Assert.Contains(("UnmatchedRoute", "UpdateProduct"), overlaps);
        Assert.Contains(("GetProduct", "UnmatchedRoute"), overlaps);
        Assert.Equal(17, overlaps.Count(o => o.First == "UnmatchedRoute" || o.Second == "UnmatchedRoute"));
    }

    [Fact]
    public async Task The_local_host_routes_the_app_before_issue_17_as_the_real_host_did_and_refuses_it()
    {
        var routes = new HostRoutes(HostRoutes.ReadHttpFunctions(PerMethodFixture), "api");

        var update = await Assert.ThrowsAsync<AmbiguousRouteException>(() => routes.MatchAsync("PUT", "/api/v1/products/SKU-1"));
        var read = await Assert.ThrowsAsync<AmbiguousRouteException>(() => routes.MatchAsync("GET", "/api/v1/products/SKU-1"));
        var stock = await Assert.ThrowsAsync<AmbiguousRouteException>(() => routes.MatchAsync("PUT", "/api/v1/products/SKU-1/stock"));

        // What the real host did with these requests (issue 17): its routes in function-name order, the first match wins.
        Assert.Equal(["UnmatchedRoute", "UpdateProduct"], update.Matching);
        Assert.Equal(["GetProduct", "UnmatchedRoute"], read.Matching);
        Assert.Equal(["SetProductStock", "UnmatchedRoute"], stock.Matching);
        Assert.Contains("UnmatchedRoute and UpdateProduct", update.Message, StringComparison.Ordinal);
    }

    /// <summary>Every pair of functions (in name order) some request could match both routes of.</summary>
    private static List<(string First, string Second)> Overlaps(IReadOnlyList<HttpFunction> functions)
    {
        var ordered = functions.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        var overlaps = new List<(string, string)>();
        for (var i = 0; i < ordered.Count; i++)
        {
            for (var j = i + 1; j < ordered.Count; j++)
            {
                if (SharesAMethod(ordered[i], ordered[j]) && RoutesOverlap(ordered[i], ordered[j]))
                {
                    overlaps.Add((ordered[i].Name, ordered[j].Name));
                }
            }
        }

        return overlaps;
    }

    private static bool SharesAMethod(HttpFunction a, HttpFunction b) =>
        a.Methods is null || b.Methods is null || a.Methods.Intersect(b.Methods, StringComparer.OrdinalIgnoreCase).Any();

    private static bool RoutesOverlap(HttpFunction a, HttpFunction b)
    {
        var (x, y) = (TemplateParser.Parse(a.Route), TemplateParser.Parse(b.Route));
        if (IsCatchAll(x) || IsCatchAll(y))
        {
            var (catchAll, other) = IsCatchAll(x) ? (x, y) : (y, x);
            Assert.False(IsCatchAll(other), $"{a.Name} and {b.Name} are both catch-alls: extend this proof");
            // An unconstrained catch-all claims every path; a constrained one only those its regex does not exclude.
            return ExcludedPaths(catchAll) is not { } excluded || !excluded.Contains(AsRegex(other), StringComparer.Ordinal);
        }

        return x.Segments.Count == y.Segments.Count && x.Segments.Zip(y.Segments).All(s =>
            Part(s.First) is var p && Part(s.Second) is var q && (p.IsParameter || q.IsParameter || string.Equals(p.Text, q.Text, StringComparison.OrdinalIgnoreCase)));
    }

    private static bool IsCatchAll(RouteTemplate template) => template.Parameters.Any(p => p.IsCatchAll);

    /// <summary>The route regexes a catch-all's constraint excludes (ApiRoutes.Unmatched's form), or null if it has no such constraint.</summary>
    private static List<string>? ExcludedPaths(RouteTemplate catchAll)
    {
        var parameter = Assert.Single(catchAll.Parameters);
        Assert.True(catchAll.Segments.Count == 1 && parameter.IsCatchAll, $"{catchAll.TemplateText}: a catch-all must be the whole route; extend this proof");
        if (parameter.InlineConstraints.SingleOrDefault()?.Constraint is not { } constraint)
        {
            return null;
        }

        Assert.True(constraint.StartsWith(CatchAllPrefix, StringComparison.Ordinal) && constraint.EndsWith(CatchAllSuffix, StringComparison.Ordinal), $"{constraint}: not the form this proof reads");
        return [.. constraint[CatchAllPrefix.Length..^CatchAllSuffix.Length].Split('|')];
    }

    /// <summary>The paths a plain template matches, as the catch-all's alternatives write them.</summary>
    private static string AsRegex(RouteTemplate template) =>
        string.Join('/', template.Segments.Select(s => Part(s) is var p && p.IsParameter ? "[^/]+" : Regex.Escape(p.Text!)));

    // The proof covers whole-segment literals and plain parameters: anything else must extend it first.
    private static TemplatePart Part(TemplateSegment segment)
    {
        var part = Assert.Single(segment.Parts);
        Assert.False(part.IsParameter && (part.IsOptional || part.IsCatchAll || part.InlineConstraints.Any() || part.DefaultValue is not null), $"{part.Name}: extend this proof for optional, constrained or defaulted parameters");
        return part;
    }
}
