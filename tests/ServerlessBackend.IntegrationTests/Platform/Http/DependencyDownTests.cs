using System.Net;
using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Platform.Http;

/// <summary>
/// A dependency that is down (nothing listens, the SDK gives up with 503 or 408) reaches the client as 503 problem details
/// with Retry-After, never as a 500: Service Bus for the dead-letter routes, Cosmos DB for every kind of request a route
/// makes, the token issuer's metadata for every protected route. Real clients against closed 127.0.0.1 ports.
/// </summary>
public sealed class DependencyDownTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private readonly TestTenant _tenant = new();

    [Theory]
    [InlineData("GET", "/api/v1/admin/dead-letters/email", null)]
    [InlineData("POST", "/api/v1/admin/dead-letters/email/replay", """{"sequenceNumbers":[1]}""")]
    public async Task The_dead_letter_routes_answer_503_with_retry_after_when_Service_Bus_is_unreachable(string method, string path, string? body)
    {
        await using var client = new ServiceBusClient(
            $"Endpoint=sb://127.0.0.1:{LocalServer.FreePort()};SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;",
            new ServiceBusClientOptions { RetryOptions = new ServiceBusRetryOptions { MaxRetries = 0, TryTimeout = TimeSpan.FromSeconds(5) } });
        var deadLetters = new ServiceBusDeadLetters(client, client.CreateSender(MessagingTopology.OrdersTopic), NullLogger<ServiceBusDeadLetters>.Instance);
        var api = new ApiTestHost(cosmos);
        var functions = new DeadLetterFunctions(new DeadLetterHandler(deadLetters, MetricsCapture.Unobserved, api.Get<AuditTrail>(), api.Get<IAuditLog>()));

        var response = await api.SendAsync(method, path, (r, ct) => method == "GET" ? functions.DeadLetters(r, "email", ct) : functions.DeadLetterReplay(r, "email", ct), _tenant.Admin, body);

        AssertUnavailable(response);
    }

    public static TheoryData<string> CosmosRoutes() =>
    [
        "GET /api/v1/products/ESP-1",
        "GET /api/v1/products",
        "POST /api/v1/products",
        "PUT /api/v1/products/ESP-1/stock",
        "POST /api/v1/orders",
        "GET /api/v1/orders/ord-1",
    ];

    [Theory]
    [MemberData(nameof(CosmosRoutes))]
    public async Task Every_kind_of_cosmos_request_answers_503_with_retry_after_when_cosmos_is_unreachable(string route)
    {
        using var client = CosmosServerFixture.CreateClient(new Uri($"https://127.0.0.1:{LocalServer.FreePort()}/"), new PassThrough());

        AssertUnavailable(await SendAsync(new ApiTestHost(new CosmosContainers(client, cosmos.DatabaseName)), route));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, "GET /api/v1/orders/ord-1")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "POST /api/v1/products")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "GET /api/v1/products")]
    [InlineData(HttpStatusCode.RequestTimeout, "GET /api/v1/orders/ord-1")]
    [InlineData(HttpStatusCode.RequestTimeout, "PUT /api/v1/products/ESP-1/stock")]
    public async Task Cosmos_answering_503_or_408_after_the_sdks_retries_is_503_with_retry_after(HttpStatusCode status, string route)
    {
        using var client = CosmosServerFixture.CreateClient(new Uri($"https://127.0.0.1:{cosmos.Port}/"), new Answer(status));

        AssertUnavailable(await SendAsync(new ApiTestHost(new CosmosContainers(client, cosmos.DatabaseName)), route));
    }

    [Fact]
    public async Task A_protected_route_answers_503_with_retry_after_when_the_token_issuer_is_unreachable()
    {
        var issuer = new OpenIdSigningConfiguration($"https://127.0.0.1:{LocalServer.FreePort()}/issuer");
        var api = new ApiTestHost(cosmos, signing: issuer);

        AssertUnavailable(await SendAsync(api, "GET /api/v1/orders/ord-1"));
    }

    private Task<TestResponse> SendAsync(ApiTestHost api, string route)
    {
        var headers = new Dictionary<string, string> { ["If-Match"] = "\"v\"", ["Idempotency-Key"] = "k" };
        Func<HttpRequest, CancellationToken, Task<IResult>> function = route switch
        {
            "GET /api/v1/products/ESP-1" => (r, ct) => api.Catalog.Product(r, "ESP-1", ct),
            "GET /api/v1/products" => api.Catalog.Products,
            "POST /api/v1/products" => api.Catalog.Products,
            "PUT /api/v1/products/ESP-1/stock" => (r, ct) => api.Catalog.ProductStock(r, "ESP-1", ct),
            "POST /api/v1/orders" => api.Orders.Orders,
            _ => (r, ct) => api.Orders.Order(r, "ord-1", ct),
        };
        var body = route switch
        {
            "POST /api/v1/products" => """{"id":"ESP-1","name":"x","price":1,"currency":"EUR","availableStock":1}""",
            "PUT /api/v1/products/ESP-1/stock" => """{"availableStock":1}""",
            "POST /api/v1/orders" => """{"lines":[{"productId":"ESP-1","quantity":1}]}""",
            _ => null,
        };
        return api.SendAsync(route.Split(' ')[0], route.Split(' ')[1], function, _tenant.Admin, body, headers);
    }

    private static void AssertUnavailable(TestResponse response)
    {
        ProblemAssertions.AssertProblem(response, 503);
        Assert.True(int.TryParse(response.Headers.RetryAfter.ToString(), out var seconds) && seconds >= 1, $"Retry-After: '{response.Headers.RetryAfter}'");
        Assert.DoesNotContain("127.0.0.1", response.Body, StringComparison.Ordinal);
    }

    private sealed class PassThrough : RequestHandler
    {
    }

    /// <summary>Answers every request on a partition with <paramref name="status"/>, as the SDK does once its own retries are spent.</summary>
    private sealed class Answer(HttpStatusCode status) : RequestHandler
    {
        public override Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken) =>
            request.Headers["x-ms-documentdb-partitionkey"] is null
                ? base.SendAsync(request, cancellationToken)
                : Task.FromResult(new ResponseMessage(status, request, "unavailable"));
    }
}
