using Microsoft.Azure.Functions.Worker;
using Moq;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.LocalHost;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Foundation;

/// <summary>
/// Requests routed as the Functions host routes them: ASP.NET Core routes built from the generated functions.metadata and
/// host.json, in the host's order. Every known route still reaches its own function; whatever no function serves under
/// the route prefix reaches the catch-all, which answers 404, or 405 with the methods the path is served for.
/// </summary>
public sealed class HostRoutingTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private static readonly HostRoutes Routes = HostRoutes.Load(RepoPaths.FunctionsOutput);

    private readonly ApiTestHost _api = new(cosmos);
    private readonly TestTenant _tenant = new();

    public static TheoryData<string, string, string> KnownRoutes()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var function in Routes.Functions.Where(f => f.Methods is not null))
        {
            foreach (var method in function.Methods!)
            {
                data.Add(function.Name, method.ToUpperInvariant(), SamplePath(function.Route));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KnownRoutes))]
    public async Task Every_function_route_and_method_reaches_its_own_function_with_its_route_values(string function, string method, string path)
    {
        var match = await Routes.MatchAsync(method, path);

        Assert.Equal(function, match?.Function.Name);
        Assert.All(match!.Values, v => Assert.Equal($"sample-{v.Key}", v.Value));
    }

    [Theory]
    [InlineData("DELETE", "/api/v1/orders/ord-1")]
    [InlineData("PATCH", "/api/v1/products/SKU-1")]
    [InlineData("GET", "/api/v1/orders/ord-1/cancel")]
    [InlineData("PUT", "/api/v1/orders")]
    [InlineData("POST", "/api/health")]
    [InlineData("HEAD", "/api/health")]
    [InlineData("OPTIONS", "/api/v1/products")]
    [InlineData("GET", "/api/nope")]
    [InlineData("GET", "/api/v1")]
    [InlineData("GET", "/api/v2/orders")]
    [InlineData("GET", "/api/v1/orders/ord-1/ship/now")]
    [InlineData("PROPFIND", "/api/v1/products")]
    [InlineData("GET", "/api")]
    [InlineData("GET", "/api/")]
    public async Task What_no_function_serves_under_the_route_prefix_reaches_the_catch_all(string method, string path)
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
        { "POST", "/api/health", "GET" },
        { "PUT", "/api/v1/admin/dead-letters/email", "GET" },
        { "GET", "/api/v1/payments/stripe/webhook", "POST" },
    };

    [Theory]
    [MemberData(nameof(WrongMethods))]
    public async Task A_known_path_with_a_method_it_does_not_serve_is_405_with_the_methods_the_host_routes_for_it(string method, string path, string allow)
    {
        var response = await SendToRoutedFunctionAsync(method, path, _tenant.Alice);

        ProblemAssertions.AssertProblem(response, 405);
        Assert.Equal(allow, response.Headers.Allow.ToString());
        // The same methods the host's routing sends to a function of their own for this path.
        var served = new List<string>();
        foreach (var candidate in new[] { "GET", "POST", "PUT", "PATCH", "DELETE" })
        {
            if ((await Routes.MatchAsync(candidate, path))?.Function.Name is { } name && name != UnmatchedRouteFunction.Name)
            {
                served.Add(candidate);
            }
        }

        Assert.Equal(allow, string.Join(", ", served));
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
    public async Task Without_a_token_an_unknown_path_and_a_wrong_method_are_both_401_so_neither_tells_what_exists(string method, string path)
    {
        var response = await SendToRoutedFunctionAsync(method, path, token: null);

        ProblemAssertions.AssertProblem(response, 401);
        Assert.Equal("Bearer", response.Headers.WWWAuthenticate.ToString());
    }

    // Routes the request as the host does, then runs the function it reached through the app's middleware, with the route values as binding data.
    private async Task<TestResponse> SendToRoutedFunctionAsync(string method, string path, string? token)
    {
        var match = await Routes.MatchAsync(method, path);
        Assert.Equal(UnmatchedRouteFunction.Name, match?.Function.Name);
        var bindingData = match!.Values.ToDictionary(v => v.Key, v => (object?)v.Value?.ToString());
        var context = Mock.Of<FunctionContext>(c => c.BindingContext.BindingData == bindingData);
        return await _api.SendAsync(method, path, (r, _) => Task.FromResult(UnmatchedRouteFunction.Run(r, context)), token, entryPoint: match.Function.EntryPoint);
    }

    private static string SamplePath(string route) =>
        "/" + Routes.RoutePrefix + "/" + string.Join('/', route.Split('/').Select(s => s.StartsWith('{') ? $"sample-{s.Trim('{', '}')}" : s));
}
