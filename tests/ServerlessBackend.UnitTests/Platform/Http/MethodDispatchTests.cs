using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Platform.Http;

/// <summary>One function serves every method of its route: its handlers, HEAD from GET, OPTIONS, and 405 for the rest.</summary>
public sealed class MethodDispatchTests
{
    private readonly List<string> _ran = [];

    [Theory]
    [InlineData("GET", "get")]
    [InlineData("get", "get")]
    [InlineData("POST", "post")]
    [InlineData("PUT", "put")]
    public async Task The_handler_of_the_requests_method_runs_and_no_other(string method, string handler)
    {
        var response = await ServeAsync(method, get: true, post: true, put: true);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal([handler], _ran);
        Assert.Equal($$"""{"handler":"{{handler}}"}""", response.Body);
    }

    [Fact]
    public async Task Head_answers_gets_status_and_headers_without_its_body()
    {
        var get = await ServeAsync("GET", get: true);
        _ran.Clear();
        var head = await ServeAsync("HEAD", get: true);

        Assert.Equal(["get"], _ran);
        Assert.Equal((get.StatusCode, get.ContentType, get.Headers.ETag.ToString()), (head.StatusCode, head.ContentType, head.Headers.ETag.ToString()));
        Assert.NotEmpty(get.Body);
        Assert.Empty(head.Body);
    }

    [Fact]
    public async Task Options_is_204_with_allow_listing_the_routes_methods_and_runs_nothing()
    {
        var response = await ServeAsync("OPTIONS", get: true, put: true);

        Assert.Equal(204, response.StatusCode);
        Assert.Equal("GET, PUT", response.Headers.Allow.ToString());
        Assert.Empty(response.Body);
        Assert.Empty(_ran);
    }

    [Theory]
    [InlineData("DELETE", "POST")]
    [InlineData("PATCH", "POST")]
    [InlineData("GET", "POST")]
    [InlineData("HEAD", "POST")]
    [InlineData("PROPFIND", "POST")]
    public async Task Any_other_method_is_405_problem_details_with_allow_and_runs_nothing(string method, string allow)
    {
        var response = await ServeAsync(method, post: true);

        Assert.Equal((405, "application/problem+json"), (response.StatusCode, response.ContentType));
        Assert.Equal(allow, response.Headers.Allow.ToString());
        var problem = JsonDocument.Parse(response.Body).RootElement;
        Assert.Equal(405, problem.GetProperty("status").GetInt32());
        Assert.Contains(method, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_ran);
    }

    [Theory]
    [InlineData("GET", true)]
    [InlineData("get", true)]
    [InlineData("HEAD", true)]
    [InlineData("PUT", false)]
    [InlineData("OPTIONS", false)]
    public void A_rule_on_get_covers_head_too_and_no_other_method(string method, bool covered)
    {
        Assert.Equal(covered, new PublicEndpointAttribute("GET").Covers(method));
        Assert.Equal(method is "PUT", new AdminOnlyAttribute("PUT").Covers(method));
    }

    [Fact]
    public void A_rule_must_name_its_methods()
    {
        Assert.Throws<ArgumentException>(() => new AdminOnlyAttribute());
    }

    private async Task<TestResponse> ServeAsync(string method, bool get = false, bool post = false, bool put = false)
    {
        var http = HttpTestContext.Create(method, "/api/v1/things/1");
        var result = await MethodDispatch.ServeAsync(
            http.Request, get ? Handler(http.Context, "get") : null, post ? Handler(http.Context, "post") : null, put ? Handler(http.Context, "put") : null);
        return await http.ExecuteAsync(result);
    }

    private Func<Task<IResult>> Handler(HttpContext http, string name) => () =>
    {
        _ran.Add(name);
        http.Response.Headers.ETag = "\"v1\"";
        return Task.FromResult(Results.Json(new { handler = name }));
    };
}
