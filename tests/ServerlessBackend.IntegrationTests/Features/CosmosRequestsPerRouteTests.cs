using System.Text;
using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Tests.Support;
using Xunit.Abstractions;

namespace ServerlessBackend.IntegrationTests.Features;

/// <summary>
/// How many Cosmos requests each route sends, counted in the CosmosClient pipeline (metadata requests
/// the SDK caches are warmed up first). A change that adds a round trip fails here; the table is printed.
/// </summary>
public sealed class CosmosRequestsPerRouteTests(CosmosServerFixture cosmos, ITestOutputHelper output) : IClassFixture<CosmosServerFixture>
{
    // As in Azure: only onboarded tenants are let in (no onboarding at the first request).
    private readonly ApiTestHost _api = new(cosmos, onboardAtFirstRequest: false);
    private readonly TestTenant _tenant = new();

    [Fact]
    public async Task Each_route_sends_the_expected_number_of_cosmos_requests()
    {
        var table = new StringBuilder("route | cosmos requests | statuses\n");
        var product = """{"id":"BEANS","name":"Espresso beans","price":12.5,"currency":"EUR","availableStock":10}""";
        await _api.OnboardAsync(_tenant.Id);
        // The tenant allow-list: a tenant's first request on an instance reads its record once; then it answers from memory.
        var warm = await Measure("first request of a tenant (allow-list read + the route's 1)", 2, () => Send("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin, product.Replace("BEANS", "WARM", StringComparison.Ordinal)), table);
        await Send("GET", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice);
        var stranger = new TestTenant();
        await Measure("request from a tenant not onboarded (allow-list read)", 1, () => Send("GET", "/api/v1/products", _api.Catalog.Products, stranger.Alice), table, expectedStatus: 403);
        await Measure("request from a tenant not onboarded, again (remembered)", 0, () => Send("GET", "/api/v1/products", _api.Catalog.Products, stranger.Alice), table, expectedStatus: 403);

        var created = await Measure("POST /v1/products", 1, () => Send("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin, product), table);
        await Measure("GET /v1/products/{id}", 1, () => Send("GET", "/api/v1/products/BEANS", (r, ct) => _api.Catalog.Product(r, "BEANS", ct), _tenant.Alice), table);
        await Measure("GET /v1/products", 1, () => Send("GET", "/api/v1/products", _api.Catalog.Products, _tenant.Alice), table);
        // A product change reads the product (its audit entry records the fields before), then writes the patch and the entry in one batch.
        var updated = await Measure("PUT /v1/products/{id}", 2, () => Send("PUT", "/api/v1/products/BEANS", (r, ct) => _api.Catalog.Product(r, "BEANS", ct), _tenant.Admin, """{"name":"Beans","price":12.5,"currency":"EUR"}""", created.Headers.ETag.ToString()), table);
        await Measure("PUT /v1/products/{id}/stock", 2, () => Send("PUT", "/api/v1/products/BEANS/stock", (r, ct) => _api.Catalog.ProductStock(r, "BEANS", ct), _tenant.Admin, """{"availableStock":50}""", updated.Headers.ETag.ToString()), table);
        await Measure("POST /v1/products/{id}/deactivate", 2, () => Send("POST", "/api/v1/products/WARM/deactivate", (r, ct) => _api.Catalog.ProductDeactivation(r, "WARM", ct), _tenant.Admin, ifMatch: warm.Headers.ETag.ToString()), table);
        // A stale If-Match reads the product once and writes nothing: a retry whose change is made is a 200, anything else a 412.
        await Measure("product change with a stale If-Match", 1, () => Send("PUT", "/api/v1/products/BEANS/stock", (r, ct) => _api.Catalog.ProductStock(r, "BEANS", ct), _tenant.Admin, """{"availableStock":3}""", updated.Headers.ETag.ToString()), table, expectedStatus: 412);
        await Measure("POST /v1/products (retried create)", 2, () => Send("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin, product), table);

        const string order = """{"lines":[{"productId":"BEANS","quantity":2}]}""";
        var placed = await Measure("POST /v1/orders", 3, () => Send("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, order, idempotencyKey: "k1"), table);
        await Measure("POST /v1/orders (idempotent replay)", 1, () => Send("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, order, idempotencyKey: "k1"), table);
        const string unpriceable = """{"lines":[{"productId":"NOPE","quantity":2}]}""";
        await Measure("POST /v1/orders (refused: not priceable)", 3, () => Send("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, unpriceable, idempotencyKey: "k2"), table, expectedStatus: 422);
        await Measure("POST /v1/orders (refused, replayed)", 1, () => Send("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, unpriceable, idempotencyKey: "k2"), table, expectedStatus: 422);
        var id = placed.Json.GetProperty("id").GetString()!;
        await Measure("GET /v1/orders/{id}", 1, () => Send("GET", $"/api/v1/orders/{id}", (r, ct) => _api.Orders.Order(r, id, ct), _tenant.Alice), table);
        await Measure("GET /v1/orders", 1, () => Send("GET", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice), table);
        await Measure("GET /v1/orders?status= (admin)", 1, () => Send("GET", "/api/v1/orders?status=pending", _api.Orders.Orders, _tenant.Admin), table);
        await Measure("POST /v1/orders/{id}/cancel", 2, () => Send("POST", $"/api/v1/orders/{id}/cancel", (r, ct) => _api.Orders.OrderCancellation(r, id, ct), _tenant.Alice), table);
        var second = await Send("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, order, idempotencyKey: "k3");
        var secondId = second.Json.GetProperty("id").GetString()!;
        await Measure("POST /v1/orders/{id}/cancel (admin: audited in the same batch)", 2, () => Send("POST", $"/api/v1/orders/{secondId}/cancel", (r, ct) => _api.Orders.OrderCancellation(r, secondId, ct), _tenant.Admin), table);
        await Measure("GET /v1/admin/audit (one query per container)", 3, () => Send("GET", "/api/v1/admin/audit", _api.Audit.AuditLog, _tenant.Admin), table);
        await Measure("GET /v1/admin/audit?resourceType=product", 1, () => Send("GET", "/api/v1/admin/audit?resourceType=product", _api.Audit.AuditLog, _tenant.Admin), table);
        await Measure("GET /health/ready", 1, async () =>
        {
            var http = HttpTestContext.Create("GET", "/api/health/ready");
            var readiness = new ReadinessFunction([new CosmosReadinessCheck(cosmos.Containers)], TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<ReadinessFunction>.Instance);
            return await http.ExecuteAsync(await readiness.Run(http.Request, CancellationToken.None));
        }, table);
        await Measure("request with an invalid token", 0, () => Send("GET", "/api/v1/products", _api.Catalog.Products, "not-a-token"), table, expectedStatus: 401);

        output.WriteLine(table.ToString());
    }

    private async Task<TestResponse> Measure(string route, int expected, Func<Task<TestResponse>> call, StringBuilder table, bool record = true, int? expectedStatus = null)
    {
        cosmos.Counter.Reset();
        var response = await call();
        var requests = cosmos.Counter.Requests;
        if (record)
        {
            table.AppendLine($"{route} | {requests.Count} | {string.Join(", ", requests.Select(r => $"{r.Method} {r.StatusCode}"))}");
        }

        Assert.True(expectedStatus is null ? response.StatusCode is >= 200 and < 300 : response.StatusCode == expectedStatus, $"{route}: {response.StatusCode} {response.Body}");
        Assert.True(expected == requests.Count, $"{route}: expected {expected} Cosmos requests, sent {requests.Count}: {string.Join("; ", requests.Select(r => $"{r.Method} {r.Resource} {r.StatusCode}"))}");
        return response;
    }

    private Task<TestResponse> Send(string method, string path, Func<HttpRequest, CancellationToken, Task<IResult>> function, string token, string? body = null, string? ifMatch = null, string? idempotencyKey = null)
    {
        var headers = new Dictionary<string, string>();
        if (ifMatch is not null)
        {
            headers["If-Match"] = ifMatch;
        }

        if (idempotencyKey is not null)
        {
            headers["Idempotency-Key"] = idempotencyKey;
        }

        return _api.SendAsync(method, path, function, token, body, headers);
    }
}
