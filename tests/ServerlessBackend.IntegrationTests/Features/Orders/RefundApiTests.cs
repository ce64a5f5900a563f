using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Orders;

/// <summary>
/// POST /api/v1/orders/{id}/refunds and GET /api/v1/orders/{id}/refunds/{refundId} through the app's middleware against
/// the Cosmos-protocol server. The order: 2 x SKU-1 at 12.50 and 1 x SKU-2 at 3.20 EUR, 28.20 EUR captured.
/// </summary>
public sealed class RefundApiTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private readonly ApiTestHost _api = new(cosmos);
    private readonly TestTenant _tenant = new();

    [Fact]
    public async Task A_full_refund_is_202_with_the_refunds_location_and_is_recorded_on_the_order_with_RefundRequested()
    {
        var order = await StoredAsync(TestData.ShippedAndCaptured(TestData.Order(_tenant.Id)));

        var response = await Refund(_tenant.Admin, order.Id, "{}", "key-1");

        Assert.Equal(202, response.StatusCode);
        var refundId = response.Json.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/orders/{order.Id}/refunds/{refundId}", response.Headers.Location.ToString());
        Assert.Equal((28.2m, "requested"), (response.Json.GetProperty("amount").GetDecimal(), response.Json.GetProperty("status").GetString()));
        var stored = (await Orders.GetAsync(_tenant.Id, order.Id, CancellationToken.None))!.Value;
        Assert.Equal(2820, Assert.Single(stored.Refunds).AmountMinor);
        var requested = Assert.Single(stored.Outbox);
        Assert.Equal((Order.RefundEventId(order.Id, refundId, "RefundRequested"), refundId), (requested.Id, requested.RefundId));
        _api.Publisher.Verify(p => p.PublishAfterWriteAsync(It.Is<Versioned<Order>>(w => w.Value.Refunds.Count == 1), It.IsAny<CancellationToken>()), Times.Once);

        // The order's customer reads it, as an admin does; another customer of the tenant is told 404.
        var customer = TestTokens.Mint(_tenant.Id, order.CustomerId, email: "customer@example.test");
        var read = await _api.SendAsync("GET", response.Headers.Location.ToString(), (r, ct) => _api.Refunds.OrderRefund(r, order.Id, refundId, ct), customer);
        Assert.Equal(200, read.StatusCode);
        Assert.Equal(refundId, read.Json.GetProperty("id").GetString());
        ProblemAssertions.AssertProblem(await _api.SendAsync("GET", response.Headers.Location.ToString(), (r, ct) => _api.Refunds.OrderRefund(r, order.Id, refundId, ct), _tenant.Alice), 404);
        var onOrder = await _api.SendAsync("GET", $"/api/v1/orders/{order.Id}", (r, ct) => _api.Orders.Order(r, order.Id, ct), _tenant.Admin);
        Assert.Equal(refundId, onOrder.Json.GetProperty("refunds")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_retry_with_the_same_key_and_body_answers_the_same_refund_and_records_nothing_twice_another_body_is_422()
    {
        var order = await StoredAsync(TestData.ShippedAndCaptured(TestData.Order(_tenant.Id)));
        const string body = """{"lines":[{"productId":"SKU-1","quantity":1,"withReturn":true}],"reason":"Damaged"}""";

        var first = await Refund(_tenant.Admin, order.Id, body, "key-1");
        var retry = await Refund(_tenant.Admin, order.Id, body, "key-1");
        var reused = await Refund(_tenant.Admin, order.Id, """{"amount":1}""", "key-1");

        Assert.Equal((202, 202), (first.StatusCode, retry.StatusCode));
        Assert.Equal(first.Json.GetProperty("id").GetString(), retry.Json.GetProperty("id").GetString());
        Assert.Equal("true", retry.Headers[Functions.Platform.Http.Idempotency.ReplayedHeader].ToString());
        Assert.Equal(12.5m, first.Json.GetProperty("amount").GetDecimal());
        ProblemAssertions.AssertProblem(reused, 422);
        var stored = (await Orders.GetAsync(_tenant.Id, order.Id, CancellationToken.None))!.Value;
        Assert.Equal(new RefundLine("SKU-1", 1, WithReturn: true), Assert.Single(Assert.Single(stored.Refunds).Lines));
    }

    [Fact]
    public async Task Every_refusal_is_a_problem_and_writes_nothing()
    {
        var confirmed = await StoredAsync(TestData.Advanced(TestData.Order(_tenant.Id), OrderStatus.Confirmed));
        var shipped = TestData.Advanced(TestData.Order(_tenant.Id), OrderStatus.Shipped);
        var uncaptured = await StoredAsync(shipped.WithPayment(shipped.Payment!.MoveTo(PaymentStatus.CaptureFailed, TestData.Now, "expired"), TestData.Now, null));
        var captured = await StoredAsync(TestData.ShippedAndCaptured(TestData.Order(_tenant.Id)));
        var etags = new Dictionary<string, string>();
        foreach (var id in new[] { confirmed.Id, uncaptured.Id, captured.Id })
        {
            etags[id] = (await Orders.GetAsync(_tenant.Id, id, CancellationToken.None))!.ETag;
        }

        AssertRefused(await Refund(_tenant.Admin, confirmed.Id, "{}", "k"), 409, "Confirmed");
        AssertRefused(await Refund(_tenant.Admin, uncaptured.Id, "{}", "k"), 409, "not captured");
        AssertRefused(await Refund(_tenant.Admin, captured.Id, """{"amount":28.21}""", "k"), 409, "28.20");
        AssertRefused(await Refund(_tenant.Admin, captured.Id, """{"lines":[{"productId":"SKU-9","quantity":1}]}""", "k"), 422, "lines[0].productId");
        AssertRefused(await Refund(_tenant.Admin, captured.Id, """{"lines":[{"productId":"SKU-2","quantity":2}]}""", "k"), 422, "lines[0].quantity");
        AssertRefused(await Refund(_tenant.Admin, captured.Id, """{"amount":1.001}""", "k"), 400, "amount");
        AssertRefused(await Refund(_tenant.Admin, captured.Id, """{"amount":0}""", "k"), 400, "amount");
        AssertRefused(await Refund(_tenant.Admin, captured.Id, "{}", key: null), 400, "Idempotency-Key");
        ProblemAssertions.AssertProblem(await Refund(_tenant.Alice, captured.Id, "{}", "k"), 403);
        ProblemAssertions.AssertProblem(await Refund(new TestTenant().Admin, captured.Id, "{}", "k"), 404);
        ProblemAssertions.AssertProblem(await Refund(_tenant.Admin, "o-unknown", "{}", "k"), 404);

        foreach (var (id, etag) in etags)
        {
            Assert.Equal(etag, (await Orders.GetAsync(_tenant.Id, id, CancellationToken.None))!.ETag);
        }

        _api.Publisher.VerifyNoOtherCalls();
    }

    /// <summary>Eight admins refund 10.00 each of the 28.20 captured at once: two fit, the rest are told 409, and the refunds never exceed the capture.</summary>
    [Fact]
    public async Task Concurrent_partial_refunds_never_exceed_the_capture()
    {
        var order = await StoredAsync(TestData.ShippedAndCaptured(TestData.Order(_tenant.Id)));

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Refund(_tenant.Admin, order.Id, """{"amount":10}""", $"race-{i}"))));

        Assert.Equal(2, responses.Count(r => r.StatusCode == 202));
        Assert.All(responses.Where(r => r.StatusCode != 202), r => ProblemAssertions.AssertProblem(r, 409));
        var stored = (await Orders.GetAsync(_tenant.Id, order.Id, CancellationToken.None))!.Value;
        Assert.Equal(2000, stored.RefundedMinor);
        Assert.Equal(2, stored.Outbox.Count(e => e.Type == OrderEventTypes.RefundRequested));
    }

    /// <summary>
    /// The race made certain: a refund of 20.00 is decided on the order, and right before its write another refund of 20.00
    /// is decided and written on the same version. The first write loses the ETag race, is decided again on the order with
    /// the other refund, and is refused: 40.00 never goes out of a 28.20 capture.
    /// </summary>
    [Fact]
    public async Task A_refund_decided_on_an_order_another_refund_changed_meanwhile_is_decided_again_and_refused()
    {
        var order = await StoredAsync(TestData.ShippedAndCaptured(TestData.Order(_tenant.Id)));
        var store = new InterceptingOrderStore(cosmos.Containers, _tenant.Id);
        var outbox = new Mock<IOrderOutbox>();
        outbox.Setup(o => o.PublishAfterWriteAsync(It.IsAny<Versioned<Order>>(), It.IsAny<CancellationToken>())).ReturnsAsync((Versioned<Order> w, CancellationToken _) => w);
        var handler = new RequestRefundHandler(store, new OrderTransitions(store, outbox.Object, TimeProvider.System, MetricsCapture.Unobserved, AuditTrails.Default()), TimeProvider.System);
        var admin = new Caller(_tenant.Id, "admin-1", Email: null, IsAdmin: true);
        var ask = new RefundRequest(Lines: null, Amount: 20m, Reason: null);
        Functions.Platform.Http.Outcome<RequestedRefund>? other = null;
        store.BeforeNextReplace = async () => other = await handler.HandleAsync(admin, order.Id, "other", ask, CancellationToken.None);

        var first = await handler.HandleAsync(admin, order.Id, "first", ask, CancellationToken.None);

        Assert.Null(other!.Error);
        Assert.Equal(Functions.Platform.Http.ProblemKind.Conflict, first.Error?.Kind);
        var stored = (await Orders.GetAsync(_tenant.Id, order.Id, CancellationToken.None))!.Value;
        Assert.Equal(other.Value!.Refund.Id, Assert.Single(stored.Refunds).Id);
        Assert.Equal(2000, stored.RefundedMinor);
    }

    private IOrderStore Orders => _api.Get<IOrderStore>();

    private static void AssertRefused(TestResponse response, int status, string mentioned)
    {
        ProblemAssertions.AssertProblem(response, status);
        Assert.Contains(mentioned, response.Body, StringComparison.Ordinal);
    }

    private async Task<Order> StoredAsync(Order order)
    {
        var published = order.WithoutPublished([.. order.Outbox.Select(e => e.Id)]);
        await Orders.CreateAsync(published, CancellationToken.None);
        return published;
    }

    private Task<TestResponse> Refund(string token, string orderId, string body, string? key)
    {
        var headers = key is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Idempotency-Key"] = key };
        return _api.SendAsync("POST", $"/api/v1/orders/{orderId}/refunds", (r, ct) => _api.Refunds.OrderRefunds(r, orderId, ct), token, body, headers);
    }
}
