using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Functions.Features.Outbox;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;
using Xunit.Abstractions;

namespace ServerlessBackend.IntegrationTests.Features;

/// <summary>
/// How many Cosmos requests each Service Bus message, each relay publish and each route that publishes
/// sends with the real outbox (the route table in <see cref="CosmosRequestsPerRouteTests"/> mocks it),
/// counted in the CosmosClient pipeline. Orders have two products. Every count is exact; the table is printed.
/// </summary>
[Collection(DownstreamCollection.Name)]
public sealed class CosmosRequestsPerMessageTests(CosmosServerFixture cosmos, SmtpServerFixture smtp, ITestOutputHelper output)
{
    private readonly Downstream _app = new(cosmos, smtp);
    private readonly StringBuilder _table = new("step | cosmos requests | requests\n");
    private readonly List<string> _mismatches = [];

    [Fact]
    public async Task Each_message_and_each_publishing_route_sends_the_expected_number_of_cosmos_requests()
    {
        await _app.StockedAsync("SKU-A", 100);
        await _app.StockedAsync("SKU-B", 100);
        await _app.StockedAsync("SKU-SHORT", 1);
        await Warm();

        var confirmed = await _app.PlacedAsync(("SKU-A", 2), ("SKU-B", 1));
        await Measure("OrderPlaced, reserved", 5, () => Fulfill(confirmed, OrderEventTypes.OrderPlaced));
        await Measure("OrderPlaced, redelivered", 1, () => Fulfill(confirmed, OrderEventTypes.OrderPlaced));
        await Measure("payment OrderReserved, authorized (read, record created, confirm + mark published)", 4, () => Pay(confirmed, OrderEventTypes.OrderReserved));
        await Measure("payment OrderReserved, redelivered", 1, () => Pay(confirmed, OrderEventTypes.OrderReserved));
        var rejected = await _app.PlacedAsync(("SKU-A", 2), ("SKU-SHORT", 2));
        await Measure("OrderPlaced, rejected (second product short)", 7, () => Fulfill(rejected, OrderEventTypes.OrderPlaced));
        await Measure("OrderPlaced, redelivered after the rejection", 3, () => Fulfill(rejected, OrderEventTypes.OrderPlaced));
        await Measure("OrderRejected after a stock rejection (already given back: order read only)", 1, () => Fulfill(rejected, OrderEventTypes.OrderRejected));
        var declined = await _app.PlacedWithAsync("d@example.test", "pm_card_chargeDeclined", ("SKU-A", 2), ("SKU-B", 1));
        await Fulfill(declined, OrderEventTypes.OrderPlaced);
        await Pay(declined, OrderEventTypes.OrderReserved);
        await Measure("OrderRejected after a declined payment (read, one release patch per product)", 3, () => Fulfill(declined, OrderEventTypes.OrderRejected));
        await Measure("OrderRejected after a declined payment, redelivered", 5, () => Fulfill(declined, OrderEventTypes.OrderRejected));
        await Measure("email OrderConfirmed, first delivery (read log, read order, claim, record sent)", 4, () => _app.Email.HandleAsync(Downstream.Event(confirmed, OrderEventTypes.OrderConfirmed), CancellationToken.None));
        await Measure("email OrderConfirmed, redelivery", 1, () => _app.Email.HandleAsync(Downstream.Event(confirmed, OrderEventTypes.OrderConfirmed), CancellationToken.None));

        var shipped = await _app.PlacedAsync(("SKU-A", 1), ("SKU-B", 1));
        await Fulfill(shipped, OrderEventTypes.OrderPlaced);
        await Pay(shipped, OrderEventTypes.OrderReserved);
        await ChangeAsync(shipped, OrderStatus.Shipped);
        await Measure("OrderShipped", 3, () => Fulfill(shipped, OrderEventTypes.OrderShipped));
        await Measure("payment OrderShipped, captured (read, record + mark published)", 3, () => Pay(shipped, OrderEventTypes.OrderShipped));
        var refundId = await RefundRequestedAsync(shipped);
        await Measure("payment RefundRequested, refunded (read, record + mark published)", 3, () => Refund(shipped, refundId, OrderEventTypes.RefundRequested));
        await Measure("payment RefundRequested, redelivered (read)", 1, () => Refund(shipped, refundId, OrderEventTypes.RefundRequested));
        await Measure("RefundSucceeded, one line returned (read, return patch, record restock, settle patch)", 4, () => Restock(shipped, refundId));
        await Measure("RefundSucceeded, redelivered (read, settle patch refused, product read)", 3, () => Restock(shipped, refundId));
        await Measure("email RefundSucceeded, first delivery (read log, read order, claim, record sent)", 4, () => _app.Email.HandleAsync(Downstream.RefundEvent(shipped, refundId, OrderEventTypes.RefundSucceeded), CancellationToken.None));
        await ChangeAsync(confirmed, OrderStatus.Cancelled);
        await Measure("OrderCancelled", 3, () => Fulfill(confirmed, OrderEventTypes.OrderCancelled));
        await Measure("OrderCancelled, redelivered", 5, () => Fulfill(confirmed, OrderEventTypes.OrderCancelled));
        await Measure("payment OrderCancelled, voided (read, record + mark published)", 3, () => Pay(confirmed, OrderEventTypes.OrderCancelled));

        var stale = await _app.PlacedAsync(("SKU-A", 1), ("SKU-B", 1));
        _app.Clock.Advance(OutboxRelayHandler.Delay + TimeSpan.FromSeconds(1));
        var relay = new OutboxRelayHandler(_app.Orders, _app.Outbox, _app.Clock, _app.Metrics.App, NullLogger<OutboxRelayHandler>.Instance);
        await Measure("outbox relay, one stale order", 3, () => relay.RunAsync(CancellationToken.None));
        Assert.Empty((await _app.OrderAsync(stale.Id)).Outbox);

        await MeasureRoutes();

        output.WriteLine(_table.ToString());
        Assert.True(_mismatches.Count == 0, string.Join("\n", _mismatches) + "\n" + _table);
    }

    private async Task MeasureRoutes()
    {
        var api = new ApiTestHost(cosmos, _app.Clock, _app.Outbox);
        var tenant = new TestTenant();
        foreach (var sku in new[] { "SKU-A", "SKU-B" })
        {
            await _app.Products.CreateAsync(TestData.Product(tenant.Id, sku, stock: 100), CancellationToken.None);
        }

        // The tenant's first request reads (here: onboards) it on the allow-list, which then answers from memory.
        await api.SendAsync("GET", "/api/v1/products", api.Catalog.Products, tenant.Alice);
        const string body = """{"lines":[{"productId":"SKU-A","quantity":2},{"productId":"SKU-B","quantity":1}]}""";
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = "k1" };
        var placed = await MeasureRoute("POST /v1/orders", 4, () => api.SendAsync("POST", "/api/v1/orders", api.Orders.Orders, tenant.Alice, body, headers));
        await MeasureRoute("POST /v1/orders, idempotent replay", 1, () => api.SendAsync("POST", "/api/v1/orders", api.Orders.Orders, tenant.Alice, body, headers));
        var id = placed.Json.GetProperty("id").GetString()!;
        await MeasureRoute("POST /v1/orders/{id}/cancel", 3, () => api.SendAsync("POST", $"/api/v1/orders/{id}/cancel", (r, ct) => api.Orders.OrderCancellation(r, id, ct), tenant.Alice));

        // A confirmed order whose earlier events were published: shipping publishes OrderShipped only.
        var confirmed = TestData.Advanced(TestData.Order(tenant.Id), OrderStatus.Confirmed);
        confirmed = confirmed.WithoutPublished([.. confirmed.Outbox.Select(e => e.Id)]);
        var etag = await api.Get<IOrderStore>().CreateAsync(confirmed, CancellationToken.None);
        await MeasureRoute("POST /v1/orders/{id}/ship", 3, () => api.SendAsync("POST", $"/api/v1/orders/{confirmed.Id}/ship", (r, ct) => api.Orders.OrderShipment(r, confirmed.Id, ct), tenant.Admin, headers: new Dictionary<string, string> { ["If-Match"] = etag }));

        // A shipped, captured order whose earlier events were published: the refund publishes RefundRequested only.
        var shipped = TestData.ShippedAndCaptured(TestData.Order(tenant.Id));
        await api.Get<IOrderStore>().CreateAsync(shipped, CancellationToken.None);
        var refund = new Dictionary<string, string> { ["Idempotency-Key"] = "r1" };
        const string amount = """{"amount":5}""";
        await MeasureRoute("POST /v1/orders/{id}/refunds (read, write + mark published)", 3, () => api.SendAsync("POST", $"/api/v1/orders/{shipped.Id}/refunds", (r, ct) => api.Refunds.OrderRefunds(r, shipped.Id, ct), tenant.Admin, amount, refund));
        await MeasureRoute("POST /v1/orders/{id}/refunds, idempotent replay", 1, () => api.SendAsync("POST", $"/api/v1/orders/{shipped.Id}/refunds", (r, ct) => api.Refunds.OrderRefunds(r, shipped.Id, ct), tenant.Admin, amount, refund));
    }

    /// <summary>A refund of one SKU-A with its return, requested as the API records it (its RefundRequested published): its id.</summary>
    private async Task<string> RefundRequestedAsync(Order order)
    {
        var current = (await _app.Orders.GetAsync(order.TenantId, order.Id, CancellationToken.None))!;
        var refund = new OrderRefund
        {
            Id = "rfd-counted",
            Status = RefundStatus.Requested,
            AmountMinor = 250,
            Currency = current.Value.Currency,
            Lines = [new RefundLine("SKU-A", 1, WithReturn: true)],
            RequestHash = "hash",
            History = [new RefundChange(RefundStatus.Requested, _app.Clock.GetUtcNow(), null)],
        };
        var requested = current.Value.WithNewRefund(refund, _app.Clock.GetUtcNow(), "corr-1");
        await _app.Orders.ReplaceAsync(requested.WithoutPublished([.. requested.Outbox.Select(e => e.Id)]), current.ETag, CancellationToken.None);
        return refund.Id;
    }

    private Task<Functions.Features.Payments.PaymentOutcome> Refund(Order order, string refundId, string type) =>
        _app.PaymentFunction.HandleAsync(Downstream.RefundEvent(order, refundId, type), CancellationToken.None);

    private Task<FulfillmentOutcome> Restock(Order order, string refundId) =>
        _app.FulfillmentFunction.HandleAsync(Downstream.RefundEvent(order, refundId, OrderEventTypes.RefundSucceeded), CancellationToken.None);

    /// <summary>The SDK's first calls fetch account and container metadata that it then caches; not part of any count.</summary>
    private async Task Warm()
    {
        var order = await _app.PlacedAsync(("SKU-A", 1));
        await Fulfill(order, OrderEventTypes.OrderPlaced);
        await Pay(order, OrderEventTypes.OrderReserved);
        await _app.Email.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderConfirmed), CancellationToken.None);
    }

    private Task<Functions.Features.Payments.PaymentOutcome> Pay(Order order, string type) => _app.PaymentFunction.HandleAsync(Downstream.Event(order, type), CancellationToken.None);

    private Task<FulfillmentOutcome> Fulfill(Order order, string type) => _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, type), CancellationToken.None);

    /// <summary>A status change whose event counts as published already: the test delivers the event itself.</summary>
    private async Task ChangeAsync(Order order, OrderStatus status)
    {
        var current = (await _app.Orders.GetAsync(order.TenantId, order.Id, CancellationToken.None))!;
        var changed = TestData.Advanced(current.Value, status);
        await _app.Orders.ReplaceAsync(changed.WithoutPublished([.. changed.Outbox.Select(e => e.Id)]), current.ETag, CancellationToken.None);
    }

    private async Task<TestResponse> MeasureRoute(string route, int expected, Func<Task<TestResponse>> call)
    {
        var response = await Measure(route, expected, call);
        Assert.True(response.StatusCode is >= 200 and < 300, $"{route}: {response.StatusCode} {response.Body}");
        return response;
    }

    private async Task<T> Measure<T>(string step, int expected, Func<Task<T>> call)
    {
        cosmos.Counter.Reset();
        var result = await call();
        var requests = cosmos.Counter.Requests;
        var shown = string.Join(", ", requests.Select(r => $"{r.Method} {r.StatusCode}"));
        _table.AppendLine($"{step} | {requests.Count} | {shown}");
        if (requests.Count != expected)
        {
            _mismatches.Add($"{step}: expected {expected} Cosmos requests, sent {requests.Count} ({shown})");
        }

        return result;
    }
}
