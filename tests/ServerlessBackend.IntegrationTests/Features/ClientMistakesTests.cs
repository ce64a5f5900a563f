using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features;

/// <summary>Hostile or broken bodies on every body-taking route: always a 4xx problem, never a 5xx, never a write.</summary>
public sealed class ClientMistakesTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private readonly ApiTestHost _api = new(cosmos);
    private readonly TestTenant _tenant = new();

    public static TheoryData<string> Bodies() =>
    [
        "null",
        "[]",
        "\"text\"",
        "42",
        "{",
        "{\"a\":1}{\"b\":2}",
        new string('[', 100) + new string(']', 100),
        "{\"lines\":" + new string('[', 80) + new string(']', 80) + "}",
        """{"lines":[{"productId":"BEANS","quantity":1e400}]}""",
        """{"lines":[{"productId":"BEANS","quantity":1.5}]}""",
        """{"lines":[{"productId":"BEANS","quantity":-2147483649}]}""",
        """{"id":"X","name":"x","price":1e40,"currency":"EUR","availableStock":1}""",
        """{"id":"X","name":"x","price":1,"currency":"EUR","availableStock":1,"id":"Y"}""",
        """{"lines":null}""",
        """{"lines":[{"productId":null,"quantity":null}]}""",
        """{"lines":[{"productId":"\u0000","quantity":1}]}""",
        """{"id":"\ud800","name":"x","price":1,"currency":"EUR","availableStock":1}""",
    ];

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_broken_body_is_a_4xx_problem_on_every_route(string body)
    {
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = "k", ["If-Match"] = "\"v\"" };
        var responses = new[]
        {
            await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin, body, headers),
            await _api.SendAsync("PUT", "/api/v1/products/X", (r, ct) => _api.Catalog.Product(r, "X", ct), _tenant.Admin, body, headers),
            await _api.SendAsync("PUT", "/api/v1/products/X/stock", (r, ct) => _api.Catalog.ProductStock(r, "X", ct), _tenant.Admin, body, headers),
            await _api.SendAsync("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, body, headers),
        };

        Assert.All(responses, r => Assert.True(r.StatusCode is >= 400 and < 500 && r.ContentType == "application/problem+json", $"{r.StatusCode}: {r.Body}"));
        // One key format (the OpenAPI document's ProblemDetails.errors): no JSONPath "$" root, whichever check found the mistake.
        Assert.All(responses.Where(r => r.Json.TryGetProperty("errors", out _)), r => Assert.All(r.Json.GetProperty("errors").EnumerateObject(), e => Assert.DoesNotContain("$", e.Name, StringComparison.Ordinal)));
        var products = await _api.SendAsync("GET", "/api/v1/products", _api.Catalog.Products, _tenant.Admin);
        var orders = await _api.SendAsync("GET", "/api/v1/orders", _api.Orders.Orders, _tenant.Admin);
        Assert.Equal(0, products.Json.GetProperty("items").GetArrayLength());
        Assert.Equal(0, orders.Json.GetProperty("items").GetArrayLength());
    }

    public static TheoryData<string> HostileIds() =>
    [
        "a/b", "a\\b", "a?b", "a#b", "a%2Fb", "..", " A-1", "A-1 ", "A 1", "é", "A-1\u0000", "\t", new string('A', 65), "",
        // .NET's '$' also matches before a final line feed: these once passed the id patterns and reached Cosmos.
        "ABC\n", "ord-1\n", "A-1\r\n", "\n",
    ];

    [Theory]
    [MemberData(nameof(HostileIds))]
    public async Task A_path_id_that_no_product_or_order_can_have_is_404_on_every_id_route_and_never_reaches_the_store(string id)
    {
        var headers = new Dictionary<string, string> { ["If-Match"] = "\"v\"" };
        // The tenant's first request reads it on the allow-list (here: onboards it); that is not the store the id would reach.
        await _api.SendAsync("GET", "/api/v1/products", _api.Catalog.Products, _tenant.Admin);
        cosmos.Counter.Reset();

        var responses = new[]
        {
            await _api.SendAsync("GET", "/api/v1/products/x", (r, ct) => _api.Catalog.Product(r, id, ct), _tenant.Admin),
            await _api.SendAsync("PUT", "/api/v1/products/x", (r, ct) => _api.Catalog.Product(r, id, ct), _tenant.Admin, """{"name":"y","price":2,"currency":"EUR"}""", headers),
            await _api.SendAsync("PUT", "/api/v1/products/x/stock", (r, ct) => _api.Catalog.ProductStock(r, id, ct), _tenant.Admin, """{"availableStock":7}""", headers),
            await _api.SendAsync("POST", "/api/v1/products/x/deactivate", (r, ct) => _api.Catalog.ProductDeactivation(r, id, ct), _tenant.Admin, headers: headers),
            await _api.SendAsync("GET", "/api/v1/orders/x", (r, ct) => _api.Orders.Order(r, id, ct), _tenant.Admin),
            await _api.SendAsync("POST", "/api/v1/orders/x/cancel", (r, ct) => _api.Orders.OrderCancellation(r, id, ct), _tenant.Alice, headers: headers),
            await _api.SendAsync("POST", "/api/v1/orders/x/ship", (r, ct) => _api.Orders.OrderShipment(r, id, ct), _tenant.Admin, headers: headers),
        };

        Assert.All(responses, r => Assert.True(r.StatusCode == 404 && r.ContentType == "application/problem+json", $"{r.StatusCode}: {r.Body}"));
        Assert.Empty(cosmos.Counter.Requests);
    }

    public static TheoryData<string, string, string> TrailingLineFeeds() => new()
    {
        { "POST /v1/products", """{"id":"ABC\n","name":"x","price":1,"currency":"EUR","availableStock":1}""", "id" },
        { "POST /v1/products", """{"id":"ABC","name":"x","price":1,"currency":"EUR\n","availableStock":1}""", "currency" },
        { "PUT /v1/products/{id}", """{"name":"x","price":1,"currency":"EUR\n"}""", "currency" },
        { "POST /v1/orders", """{"lines":[{"productId":"NL-1\n","quantity":1}]}""", "lines[0].productId" },
    };

    [Theory]
    [MemberData(nameof(TrailingLineFeeds))]
    public async Task A_value_with_a_trailing_line_feed_is_a_400_naming_the_field_and_stores_nothing(string route, string body, string field)
    {
        var created = await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin, """{"id":"NL-1","name":"x","price":1,"currency":"EUR","availableStock":1}""");
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = "k", ["If-Match"] = created.Headers.ETag.ToString() };

        var response = route switch
        {
            "POST /v1/products" => await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin, body, headers),
            "PUT /v1/products/{id}" => await _api.SendAsync("PUT", "/api/v1/products/NL-1", (r, ct) => _api.Catalog.Product(r, "NL-1", ct), _tenant.Admin, body, headers),
            _ => await _api.SendAsync("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, body, headers),
        };

        Assert.True(response.StatusCode == 400 && response.Json.GetProperty("errors").TryGetProperty(field, out _), $"{response.StatusCode}: {response.Body}");
        var products = await _api.SendAsync("GET", "/api/v1/products", _api.Catalog.Products, _tenant.Admin);
        var orders = await _api.SendAsync("GET", "/api/v1/orders", _api.Orders.Orders, _tenant.Admin);
        Assert.Equal(["NL-1"], products.Json.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        Assert.Equal(created.Headers.ETag.ToString(), (await _api.SendAsync("GET", "/api/v1/products/NL-1", (r, ct) => _api.Catalog.Product(r, "NL-1", ct), _tenant.Admin)).Headers.ETag.ToString());
        Assert.Equal(0, orders.Json.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Header_and_query_values_with_a_line_feed_are_refused_not_trimmed()
    {
        // HTTP trims only spaces and tabs around a header value; a line feed is never part of a valid one.
        var created = await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin, """{"id":"NL-1","name":"x","price":1,"currency":"EUR","availableStock":1}""");
        await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin, """{"id":"NL-2","name":"x","price":1,"currency":"EUR","availableStock":1}""");
        var page = await _api.SendAsync("GET", "/api/v1/products?pageSize=1", _api.Catalog.Products, _tenant.Admin);
        var token = page.Json.GetProperty("continuationToken").GetString()!;

        var key = await _api.SendAsync("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, """{"lines":[{"productId":"NL-1","quantity":1}]}""", new Dictionary<string, string> { ["Idempotency-Key"] = "k1\n" });
        var ifMatch = await _api.SendAsync("PUT", "/api/v1/products/NL-1/stock", (r, ct) => _api.Catalog.ProductStock(r, "NL-1", ct), _tenant.Admin, """{"availableStock":7}""", new Dictionary<string, string> { ["If-Match"] = created.Headers.ETag + "\n" });
        var bearer = await _api.SendAsync("GET", "/api/v1/products", _api.Catalog.Products, headers: new Dictionary<string, string> { ["Authorization"] = $"Bearer {_tenant.Admin}\n" });
        var continuation = await _api.SendAsync("GET", $"/api/v1/products?pageSize=1&continuationToken={Uri.EscapeDataString(token + "\n")}", _api.Catalog.Products, _tenant.Admin);
        var pageSize = await _api.SendAsync("GET", $"/api/v1/products?pageSize={Uri.EscapeDataString("1\n")}", _api.Catalog.Products, _tenant.Admin);

        Assert.True(key.StatusCode == 400 && key.Json.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), $"{key.StatusCode}: {key.Body}");
        Assert.True(ifMatch.StatusCode == 400 && ifMatch.Json.GetProperty("errors").TryGetProperty("If-Match", out _), $"{ifMatch.StatusCode}: {ifMatch.Body}");
        Assert.Equal(401, bearer.StatusCode);
        Assert.True(continuation.StatusCode == 400 && continuation.Json.GetProperty("errors").TryGetProperty("continuationToken", out _), $"{continuation.StatusCode}: {continuation.Body}");
        Assert.True(pageSize.StatusCode == 400 && pageSize.Json.GetProperty("errors").TryGetProperty("pageSize", out _), $"{pageSize.StatusCode}: {pageSize.Body}");
        var orders = await _api.SendAsync("GET", "/api/v1/orders", _api.Orders.Orders, _tenant.Admin);
        Assert.Equal(0, orders.Json.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("\"é\"")]
    [InlineData("\"a\u0001b\"")]
    [InlineData("\"a b\"")]
    public async Task An_if_match_with_characters_no_entity_tag_has_is_a_400_and_changes_nothing(string ifMatch)
    {
        // A non-ASCII or control character used to reach the store as a request header and answer 500.
        var created = await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin, """{"id":"X","name":"x","price":1,"currency":"EUR","availableStock":1}""");
        var headers = new Dictionary<string, string> { ["If-Match"] = ifMatch };

        var responses = new[]
        {
            await _api.SendAsync("PUT", "/api/v1/products/X", (r, ct) => _api.Catalog.Product(r, "X", ct), _tenant.Admin, """{"name":"y","price":2,"currency":"EUR"}""", headers),
            await _api.SendAsync("PUT", "/api/v1/products/X/stock", (r, ct) => _api.Catalog.ProductStock(r, "X", ct), _tenant.Admin, """{"availableStock":7}""", headers),
            await _api.SendAsync("POST", "/api/v1/products/X/deactivate", (r, ct) => _api.Catalog.ProductDeactivation(r, "X", ct), _tenant.Admin, headers: headers),
            await _api.SendAsync("POST", "/api/v1/orders/ord-1/cancel", (r, ct) => _api.Orders.OrderCancellation(r, "ord-1", ct), _tenant.Alice, headers: headers),
        };

        Assert.All(responses, r => Assert.True(r.StatusCode == 400 && r.Json.GetProperty("errors").TryGetProperty("If-Match", out _), $"{r.StatusCode}: {r.Body}"));
        var product = await _api.SendAsync("GET", "/api/v1/products/X", (r, ct) => _api.Catalog.Product(r, "X", ct), _tenant.Admin);
        Assert.Equal(created.Headers.ETag.ToString(), product.Headers.ETag.ToString());
    }
}
