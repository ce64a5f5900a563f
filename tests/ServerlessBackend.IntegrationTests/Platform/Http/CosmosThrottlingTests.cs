using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Platform.Http;

/// <summary>
/// Cosmos throttling (429) on every kind of request a route makes (point read, query, create, patch), answered by the
/// real client pipeline, reaches the client as 503 with Retry-After, never as a 500.
/// </summary>
public sealed class CosmosThrottlingTests(CosmosServerFixture cosmos) : IDisposable, IClassFixture<CosmosServerFixture>
{
    private readonly CosmosClient _client = CosmosServerFixture.CreateClient(new Uri($"https://127.0.0.1:{cosmos.Port}/"), new Throttle());
    private readonly TestTenant _tenant = new();

    public static TheoryData<string> Routes() =>
    [
        "GET /api/v1/products/ESP-1",
        "GET /api/v1/products",
        "POST /api/v1/products",
        "PUT /api/v1/products/ESP-1/stock",
        "POST /api/v1/orders",
        "GET /api/v1/orders",
        "GET /api/v1/orders/ord-1",
        "POST /api/v1/orders/ord-1/cancel",
    ];

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Throttling_that_outlasts_the_sdk_retries_is_503_with_retry_after(string route)
    {
        var api = new ApiTestHost(new CosmosContainers(_client, cosmos.DatabaseName));
        var headers = new Dictionary<string, string> { ["If-Match"] = "\"v\"", ["Idempotency-Key"] = "k" };
        Func<HttpRequest, CancellationToken, Task<IResult>> function = route switch
        {
            "GET /api/v1/products/ESP-1" => (r, ct) => api.Catalog.Product(r, "ESP-1", ct),
            "GET /api/v1/products" => api.Catalog.Products,
            "POST /api/v1/products" => api.Catalog.Products,
            "PUT /api/v1/products/ESP-1/stock" => (r, ct) => api.Catalog.ProductStock(r, "ESP-1", ct),
            "POST /api/v1/orders" => api.Orders.Orders,
            "GET /api/v1/orders" => api.Orders.Orders,
            "GET /api/v1/orders/ord-1" => (r, ct) => api.Orders.Order(r, "ord-1", ct),
            _ => (r, ct) => api.Orders.OrderCancellation(r, "ord-1", ct),
        };
        var body = route switch
        {
            "POST /api/v1/products" => """{"id":"ESP-1","name":"x","price":1,"currency":"EUR","availableStock":1}""",
            "PUT /api/v1/products/ESP-1/stock" => """{"availableStock":1}""",
            "POST /api/v1/orders" => """{"lines":[{"productId":"ESP-1","quantity":1}]}""",
            _ => null,
        };

        var response = await api.SendAsync(route.Split(' ')[0], route.Split(' ')[1], function, _tenant.Admin, body, headers);

        ProblemAssertions.AssertProblem(response, 503);
        Assert.True(int.TryParse(response.Headers.RetryAfter.ToString(), out var seconds) && seconds >= 1, response.Headers.RetryAfter.ToString());
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Answers every request on a partition (point read, query, create, patch, replace) with 429, as Cosmos does once the SDK's retries are spent.</summary>
    private sealed class Throttle : RequestHandler
    {
        public override Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers["x-ms-documentdb-partitionkey"] is null)
            {
                return base.SendAsync(request, cancellationToken);
            }

            return Task.FromResult(new ResponseMessage((HttpStatusCode)429, request, "Request rate is large."));
        }
    }
}
