using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Orders;

/// <summary>POST /api/v1/orders/{id}/ship through the app's middleware against the Cosmos-protocol server.</summary>
public sealed class ShipOrderApiTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private readonly ApiTestHost _api = new(cosmos);
    private readonly TestTenant _tenant = new();

    [Fact]
    public async Task An_admin_ships_a_confirmed_order_with_its_etag_and_OrderShipped_is_recorded_and_published()
    {
        var (order, etag) = await StoredAsync(OrderStatus.Confirmed);

        var response = await Ship(_tenant.Admin, order.Id, etag);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("shipped", response.Json.GetProperty("status").GetString());
        Assert.NotEqual(etag, response.Headers.ETag.ToString());
        var stored = (await _api.Get<IOrderStore>().GetAsync(_tenant.Id, order.Id, CancellationToken.None))!;
        Assert.Equal(response.Headers.ETag.ToString(), stored.ETag);
        Assert.Equal([OrderStatus.Pending, OrderStatus.AwaitingPayment, OrderStatus.Confirmed, OrderStatus.Shipped], stored.Value.StatusHistory.Select(h => h.Status));
        Assert.Contains(stored.Value.Outbox, e => e.Id == Order.EventId(order.Id, "OrderShipped"));
        var shippedETag = response.Headers.ETag.ToString();
        _api.Publisher.Verify(p => p.PublishAfterWriteAsync(It.Is<Versioned<Order>>(w => w.Value.TenantId == _tenant.Id && w.Value.Id == order.Id && w.ETag == shippedETag), It.IsAny<CancellationToken>()), Times.Once);
    }

    /// <summary>A ship retried with the If-Match of its first attempt is told what happened (shipped), not 412.</summary>
    [Fact]
    public async Task A_ship_retried_with_the_same_if_match_is_200_with_the_shipped_order_and_records_nothing_twice()
    {
        var (order, etag) = await StoredAsync(OrderStatus.Confirmed);

        var first = await Ship(_tenant.Admin, order.Id, etag);
        var retry = await Ship(_tenant.Admin, order.Id, etag);

        Assert.Equal((200, 200), (first.StatusCode, retry.StatusCode));
        Assert.Equal(first.Body, retry.Body);
        Assert.Equal(first.Headers.ETag.ToString(), retry.Headers.ETag.ToString());
        var stored = (await _api.Get<IOrderStore>().GetAsync(_tenant.Id, order.Id, CancellationToken.None))!;
        Assert.Single(stored.Value.StatusHistory, h => h.Status == OrderStatus.Shipped);
        _api.Publisher.Verify(p => p.PublishAfterWriteAsync(It.IsAny<Versioned<Order>>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Every_refusal_is_a_problem_and_changes_nothing()
    {
        var (confirmed, etag) = await StoredAsync(OrderStatus.Confirmed);
        var (pending, pendingEtag) = await StoredAsync(OrderStatus.Pending);
        var other = new TestTenant();

        ProblemAssertions.AssertProblem(await Ship(_tenant.Alice, confirmed.Id, etag), 403);
        ProblemAssertions.AssertProblem(await Ship(_tenant.Alice, confirmed.Id, null), 403);
        ProblemAssertions.AssertProblem(await Ship(other.Admin, confirmed.Id, etag), 404);
        ProblemAssertions.AssertProblem(await Ship(_tenant.Admin, confirmed.Id, null), 428);
        ProblemAssertions.AssertProblem(await Ship(_tenant.Admin, confirmed.Id, "not-an-etag"), 400);
        ProblemAssertions.AssertProblem(await Ship(_tenant.Admin, confirmed.Id, "\"stale\""), 412);
        ProblemAssertions.AssertProblem(await Ship(_tenant.Admin, pending.Id, pendingEtag), 409);
        ProblemAssertions.AssertProblem(await Ship(null, confirmed.Id, etag), 401);

        var stored = (await _api.Get<IOrderStore>().GetAsync(_tenant.Id, confirmed.Id, CancellationToken.None))!;
        Assert.Equal(etag, stored.ETag);
        Assert.Equal(OrderStatus.Confirmed, stored.Value.Status);
        _api.Publisher.VerifyNoOtherCalls();
    }

    private async Task<(Order Order, string ETag)> StoredAsync(OrderStatus status)
    {
        var order = TestData.Order(_tenant.Id);
        if (status != OrderStatus.Pending)
        {
            order = TestData.Advanced(order, status);
        }

        var etag = await _api.Get<IOrderStore>().CreateAsync(order, CancellationToken.None);
        return (order, etag);
    }

    private Task<TestResponse> Ship(string? token, string orderId, string? ifMatch) =>
        _api.SendAsync("POST", $"/api/v1/orders/{orderId}/ship",
            (r, ct) => _api.Orders.OrderShipment(r, orderId, ct),
            token, headers: ifMatch is null ? null : new Dictionary<string, string> { ["If-Match"] = ifMatch });
}
