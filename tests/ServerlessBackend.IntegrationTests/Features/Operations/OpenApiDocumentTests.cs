using System.Text.Json;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.LocalHost;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Operations;

/// <summary>The OpenAPI document lints clean, matches the functions the Worker SDK generated both ways, and is what the app serves.</summary>
public sealed class OpenApiDocumentTests
{
    private static readonly string DocumentPath = Path.Combine(RepoPaths.FunctionsProject, "OpenApi", "openapi.json");

    private static HostRoutes HostRoutesOf() => HostRoutes.Load(RepoPaths.FunctionsOutput);

    private static JsonElement Document => JsonDocument.Parse(File.ReadAllText(DocumentPath)).RootElement;

    // Each function serves one route (its path in the document) and the methods it answers OPTIONS with; the catch-all
    // that answers 404 for every other path is not an operation.
    private static async Task<List<(string Name, string Path, string Method, string EntryPoint)>> HttpFunctionsAsync()
    {
        var operations = new List<(string, string, string, string)>();
        foreach (var function in FunctionsMetadata.RouteFunctions)
        {
            operations.AddRange((await FunctionsMetadata.ServedMethodsAsync(function)).Select(m => (function.Name, "/" + function.Route, m.ToLowerInvariant(), function.EntryPoint)));
        }

        return operations;
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> DocumentedOperations =>
        Document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(m => m.Name is "get" or "put" or "post" or "delete" or "patch")
            .Select(m => (path.Name, m.Name, m.Value)));

    [Fact]
    public async Task Redocly_lints_the_document_with_zero_errors_and_zero_warnings()
    {
        var (exitCode, output, errors) = await NodeTools.RunAsync("redocly", RepoPaths.TestTools, "lint", DocumentPath, "--config", Path.Combine(RepoPaths.TestTools, "redocly.yaml"), "--format=json");

        var totals = JsonDocument.Parse(output).RootElement.GetProperty("totals");
        Assert.True(totals.GetProperty("errors").GetInt32() == 0 && totals.GetProperty("warnings").GetInt32() == 0, output + errors);
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public void Document_is_OpenAPI_3_0_which_API_Management_imports()
    {
        // infra/modules/apim.bicep imports this file; API Management accepts OpenAPI 2 and 3.0.x, not 3.1.
        Assert.Matches(@"^3\.0\.[0-3]$", Document.GetProperty("openapi").GetString());
    }

    [Fact]
    public async Task Every_method_each_http_function_serves_is_a_documented_operation_on_its_route()
    {
        var documented = DocumentedOperations.Select(o => (o.Path, o.Method)).ToHashSet();

        Assert.All(await HttpFunctionsAsync(), f => Assert.True(documented.Contains((f.Path, f.Method)), $"{f.Method.ToUpperInvariant()} {f.Path} ({f.Name}) is not in openapi.json"));
    }

    [Fact]
    public async Task Every_documented_operation_is_served_by_the_function_of_its_path()
    {
        var functions = (await HttpFunctionsAsync()).Select(f => (f.Path, f.Method)).ToHashSet();

        Assert.All(DocumentedOperations, o => Assert.True(functions.Contains((o.Path, o.Method)), $"openapi.json lists {o.Method.ToUpperInvariant()} {o.Path}, which no function serves"));
        Assert.NotEmpty(functions);
        var operationIds = DocumentedOperations.Select(o => o.Operation.GetProperty("operationId").GetString()).ToList();
        Assert.Equal(operationIds.Count, operationIds.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_one_catch_all_route_lists_no_method_needs_a_token_and_is_described_but_not_an_operation()
    {
        var catchAll = Assert.Single(HostRoutesOf().Functions, f => f.Route.StartsWith("{*", StringComparison.Ordinal));

        Assert.Equal(UnmatchedRouteFunction.Name, catchAll.Name);
        Assert.Equal(ApiRoutes.Unmatched, catchAll.Route);
        Assert.Null(catchAll.Methods);
        Assert.False(EntryPointAttributes.Covers<PublicEndpointAttribute>(catchAll.EntryPoint, "GET"));
        Assert.DoesNotContain(Document.GetProperty("paths").EnumerateObject(), p => p.Name.Contains('*', StringComparison.Ordinal));
        Assert.Contains("405", Document.GetProperty("info").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operations_without_security_are_exactly_the_public_endpoints()
    {
        var anonymous = DocumentedOperations.Where(o => o.Operation.TryGetProperty("security", out var s) && s.GetArrayLength() == 0).Select(o => (o.Path, o.Method)).ToHashSet();
        var publicFunctions = (await HttpFunctionsAsync()).Where(f => EntryPointAttributes.Covers<PublicEndpointAttribute>(f.EntryPoint, f.Method)).Select(f => (f.Path, f.Method)).ToHashSet();

        Assert.Equal(publicFunctions.Order(), anonymous.Order());
        Assert.Equal([("/health", "get"), ("/health/ready", "get"), ("/v1/payments/stripe/webhook", "post")], publicFunctions.Order());
    }

    [Fact]
    public void Every_subscription_parameter_lists_exactly_the_topic_subscriptions()
    {
        var parameters = DocumentedOperations
            .SelectMany(o => o.Operation.TryGetProperty("parameters", out var p) ? p.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Concat(Document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray() : Enumerable.Empty<JsonElement>()))
            .Where(p => p.TryGetProperty("name", out var name) && name.GetString() == "subscription")
            .ToList();

        Assert.NotEmpty(parameters);
        Assert.All(parameters, p => Assert.Equal(
            MessagingTopology.Subscriptions.Select(s => s.Name).Order(),
            p.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).Order()));
    }

    [Fact]
    public void The_currencies_products_may_be_created_and_updated_in_are_exactly_those_payments_are_taken_in()
    {
        var schemas = Document.GetProperty("components").GetProperty("schemas");

        Assert.Equal(
            PaymentLimits.SupportedCurrencies.Order(StringComparer.Ordinal),
            schemas.GetProperty("PaymentCurrency").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal));
        Assert.All(new[] { "CreateProduct", "UpdateProduct" }, name => Assert.Equal(
            "#/components/schemas/PaymentCurrency",
            schemas.GetProperty(name).GetProperty("properties").GetProperty("currency").GetProperty("$ref").GetString()));
    }

    [Fact]
    public async Task The_app_serves_the_document_as_json()
    {
        var http = HttpTestContext.Create("GET", "/api/openapi.json");

        var response = await http.ExecuteAsync(await OpenApiFunction.Run(http.Request));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal(File.ReadAllText(DocumentPath), response.Body);
    }
}
