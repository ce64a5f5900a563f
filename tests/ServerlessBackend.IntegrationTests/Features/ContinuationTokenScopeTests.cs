using System.Buffers.Text;
using System.Text;
using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features;

/// <summary>
/// A continuation token continues only the list that issued it: another tenant, another customer or another filter
/// gets a 400 and the store is never asked. Even a token forged for the caller's own list cannot read outside it,
/// because the store query itself is scoped to the caller.
/// </summary>
public sealed class ContinuationTokenScopeTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private const string Product = """{"id":"ID","name":"x","price":1,"currency":"EUR","availableStock":1}""";

    private readonly ApiTestHost _api = new(cosmos);
    private readonly TestTenant _tenant = new();
    private readonly TestTenant _other = new();

    [Fact]
    public async Task A_product_list_token_is_refused_by_another_tenant_and_by_another_filter()
    {
        await Products(_tenant.Admin, "A-1", "A-2", "A-3");
        await Products(_other.Admin, "B-1", "B-2", "B-3");
        var token = await FirstPageToken("/api/v1/products?pageSize=1", _tenant.Alice);
        cosmos.Counter.Reset();

        var otherTenant = await List("/api/v1/products", _other.Alice, token);
        // An admin's unfiltered list is another list than a customer's (active products only).
        var otherFilter = await List("/api/v1/products", _tenant.Admin, token);

        ProblemAssertions.AssertProblem(otherTenant, 400);
        ProblemAssertions.AssertProblem(otherFilter, 400);
        Assert.Empty(cosmos.Counter.Requests);
        Assert.Equal(200, (await List("/api/v1/products", _tenant.Bob, token)).StatusCode);
    }

    [Fact]
    public async Task A_token_forged_for_the_callers_own_list_from_another_tenants_store_token_still_lists_only_the_callers_products()
    {
        await Products(_tenant.Admin, "A-1", "A-2", "A-3");
        await Products(_other.Admin, "B-1", "B-2", "B-3");
        var storeToken = Decode(await FirstPageToken("/api/v1/products?pageSize=1", _tenant.Alice))[17..];
        var forged = PageRequest.Encode(ContinuationScope.Bind(ContinuationScope.Of("products", _other.Id, true.ToString()), storeToken))!;

        var response = await List("/api/v1/products", _other.Alice, forged);

        Assert.Equal(200, response.StatusCode);
        Assert.All(response.Json.GetProperty("items").EnumerateArray(), p => Assert.StartsWith("B-", p.GetProperty("id").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_order_list_token_is_refused_by_another_customer_another_tenant_an_admin_and_another_status()
    {
        // cosmosdb-server cannot page an ORDER BY query, so the store hands out a token of its own here; the rest is the app's.
        var store = new Mock<IOrderStore>();
        store.Setup(s => s.ListAsync(It.IsAny<OrderListQuery>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Page<Order>([TestData.Order(_tenant.Id, "alice")], "store-token"));
        var orders = new OrdersFunctions(_api.Get<PlaceOrderHandler>(), new ReadOrdersHandler(store.Object), _api.Get<ChangeOrderStatusHandler>());
        Task<TestResponse> List(string caller, string query) => _api.SendAsync("GET", $"/api/v1/orders?pageSize=1{query}", orders.Orders, caller);
        var token = (await List(_tenant.Alice, "")).Json.GetProperty("continuationToken").GetString();

        ProblemAssertions.AssertProblem(await List(_tenant.Bob, $"&continuationToken={token}"), 400);
        ProblemAssertions.AssertProblem(await List(TestTokens.Mint(_other.Id, "alice"), $"&continuationToken={token}"), 400);
        ProblemAssertions.AssertProblem(await List(_tenant.Admin, $"&continuationToken={token}"), 400);
        ProblemAssertions.AssertProblem(await List(_tenant.Alice, $"&status=pending&continuationToken={token}"), 400);
        store.Verify(s => s.ListAsync(It.IsAny<OrderListQuery>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(200, (await List(_tenant.Alice, $"&continuationToken={token}")).StatusCode);
        store.Verify(s => s.ListAsync(new OrderListQuery(_tenant.Id, "alice", null, 1, "store-token"), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_token_that_decodes_to_characters_no_store_token_has_is_400_on_both_lists()
    {
        // Well-formed continuation JSON around a non-ASCII token: it used to reach the store as a request header (500).
        foreach (var raw in new[] { """[{"token":"é","range":{"min":"","max":"FF"}}]""", "a\u0001b", "line\nbreak" })
        {
            var token = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(raw));
            ProblemAssertions.AssertProblem(await List("/api/v1/products", _tenant.Admin, token), 400);
            ProblemAssertions.AssertProblem(await List("/api/v1/orders", _tenant.Admin, token), 400);
        }
    }

    private static string Decode(string token) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));

    private async Task<string> FirstPageToken(string path, string caller)
    {
        var first = await _api.SendAsync("GET", path, _api.Catalog.Products, caller);
        Assert.Equal(200, first.StatusCode);
        return first.Json.GetProperty("continuationToken").GetString()!;
    }

    private Task<TestResponse> List(string path, string caller, string token, string filter = "") =>
        _api.SendAsync("GET", $"{path}?pageSize=1&continuationToken={token}{filter}", path.Contains("orders", StringComparison.Ordinal) ? _api.Orders.Orders : _api.Catalog.Products, caller);

    private async Task Products(string admin, params string[] ids)
    {
        foreach (var id in ids)
        {
            Assert.Equal(201, (await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, admin, Product.Replace("ID", id, StringComparison.Ordinal))).StatusCode);
        }
    }

}
