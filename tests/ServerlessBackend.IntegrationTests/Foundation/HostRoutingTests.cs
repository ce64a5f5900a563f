using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.LocalHost;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Foundation;

/// <summary>
/// Requests routed as the Functions host routes them (<see cref="HostRoutes"/>: ASP.NET Core routes built from the
/// generated functions.metadata and host.json, in the host's order, refusing a request two routes match). Every path of
/// a route reaches its own function whatever the method; whatever no route serves under the prefix reaches the
/// catch-all, which answers 404; a known path with a method it does not serve is its own function's 405 with Allow.
/// </summary>
public sealed class HostRoutingTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private static readonly HostRoutes Routes = HostRoutes.Load(RepoPaths.FunctionsOutput);

    private readonly ApiTestHost _api = new(cosmos);
    private readonly TestTenant _tenant = new();

    public static TheoryData<string, string, string> KnownPaths()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var function in FunctionsMetadata.RouteFunctions)
        {
            foreach (var method in new[] { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" })
            {
                data.Add(function.Name, method, SamplePath(function.Route));
            }

            data.Add(function.Name, "GET", SamplePath(function.Route).ToUpperInvariant() + "/");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KnownPaths))]
    public async Task Every_path_of_a_route_reaches_its_own_function_with_any_method_and_its_route_values(string function, string method, string path)
    {
        var match = await Routes.MatchAsync(method, path);

        Assert.Equal(function, match?.Function.Name);
        Assert.All(match!.Values, v => Assert.Equal($"sample-{v.Key}", v.Value?.ToString(), ignoreCase: true));
    }

    [Theory]
    [InlineData("GET", "/api/nope")]
    [InlineData("GET", "/api/v1")]
    [InlineData("GET", "/api/v2/orders")]
    [InlineData("GET", "/api/v1/orders/ord-1/ship/now")]
    [InlineData("POST", "/api/v1/order")]
    [InlineData("GET", "/api/v1/orders//cancel")]
    [InlineData("GET", "/api/health//")]
    [InlineData("PROPFIND", "/api/v1/nope")]
    [InlineData("OPTIONS", "/api/v1/admin")]
    [InlineData("GET", "/api")]
    [InlineData("GET", "/api/")]
    public async Task A_path_no_route_serves_under_the_route_prefix_reaches_the_catch_all_alone(string method, string path)
    {
        var match = await Routes.MatchAsync(method, path);

        Assert.Equal(UnmatchedRouteFunction.Name, match?.Function.Name);
    }

    [Fact]
    public async Task A_path_outside_the_route_prefix_stays_the_hosts_own()
    {
        Assert.Null(await Routes.MatchAsync("GET", "/v1/orders"));
    }

    public static TheoryData<string, string, string> WrongMethods() => new()
    {
        { "DELETE", "/api/v1/orders/ord-1", "GET" },
        { "PATCH", "/api/v1/products/SKU-1", "GET, PUT" },
        { "GET", "/api/v1/orders/ord-1/cancel", "POST" },
        { "PUT", "/api/v1/orders", "GET, POST" },
        { "DELETE", "/api/v1/products/SKU-1/stock", "PUT" },
        { "HEAD", "/api/v1/products/SKU-1/stock", "PUT" },
        { "POST", "/api/health", "GET" },
        { "PUT", "/api/v1/admin/dead-letters/email", "GET" },
        { "GET", "/api/v1/payments/stripe/webhook", "POST" },
    };

    [Theory]
    [MemberData(nameof(WrongMethods))]
    public async Task A_known_path_with_a_method_it_does_not_serve_is_its_functions_405_with_allow_for_a_customer(string method, string path, string allow)
    {
        var response = await SendToRoutedFunctionAsync(method, path, _tenant.Alice);

        ProblemAssertions.AssertProblem(response, 405);
        Assert.Equal(allow, response.Headers.Allow.ToString());
    }

    [Theory]
    [InlineData("GET", "/api/nope")]
    [InlineData("POST", "/api/v1/order")]
    [InlineData("GET", "/api/v1/orders/ord-1/ship/now")]
    [InlineData("GET", "/api")]
    public async Task An_unknown_path_is_404_problem_details(string method, string path)
    {
        var response = await SendToRoutedFunctionAsync(method, path, _tenant.Alice);

        ProblemAssertions.AssertProblem(response, 404);
        Assert.False(response.Headers.ContainsKey("Allow"));
    }

    [Theory]
    [InlineData("GET", "/api/nope")]
    [InlineData("DELETE", "/api/v1/orders/ord-1")]
    [InlineData("OPTIONS", "/api/v1/orders/ord-1")]
    [InlineData("POST", "/api/health")]
    [InlineData("GET", "/api/v1/payments/stripe/webhook")]
    public async Task Without_a_token_an_unknown_path_and_a_wrong_method_are_both_401_so_neither_tells_what_exists(string method, string path)
    {
        var response = await SendToRoutedFunctionAsync(method, path, token: null);

        ProblemAssertions.AssertProblem(response, 401);
        Assert.Equal("Bearer", response.Headers.WWWAuthenticate.ToString());
    }

    // Routes the request as the host does, then runs the function it reached through the app's middleware, with the
    // route values as its parameters (only answers that need none of the function's services: 404, 405, 401).
    private async Task<TestResponse> SendToRoutedFunctionAsync(string method, string path, string? token)
    {
        var match = await Routes.MatchAsync(method, path);
        Assert.NotNull(match);
        var values = match.Values.ToDictionary(v => v.Key, v => (object?)v.Value);
        return await _api.SendAsync(method, path, (r, _) => FunctionsMetadata.CallWithoutServicesAsync(match.Function, r, values), token, entryPoint: match.Function.EntryPoint);
    }

    private static string SamplePath(string route) =>
        "/" + Routes.RoutePrefix + "/" + string.Join('/', route.Split('/').Select(s => s.StartsWith('{') ? $"sample-{s.Trim('{', '}')}" : s));
}
