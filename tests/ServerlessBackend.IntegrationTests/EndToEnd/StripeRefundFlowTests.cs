using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Payments.Stripe;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.EndToEnd;

/// <summary>
/// A refund with the Stripe provider against the Stripe-like API on 127.0.0.1: an order paid with Stripe's
/// pm_card_refundFail is shipped and captured, one line refunded with its return; the refund message delivered three
/// times at once makes one refund at Stripe; the returned goods go back to stock once, whatever is redelivered; the
/// refund then fails at Stripe (as that card's refunds do) and the refund.failed webhook, delivered twice, records it once.
/// The customer gets an email per outcome.
/// </summary>
[Collection(DownstreamCollection.Name)]
public sealed class StripeRefundFlowTests(CosmosServerFixture cosmos, SmtpServerFixture smtp) : IAsyncLifetime
{
    private const string WebhookSecret = "whsec_refunds";

    private readonly TestTenant _tenant = new();
    private readonly string _contact = $"{Guid.NewGuid():N}@example.test";
    private FakeStripeApi _stripe = null!;
    private Downstream _app = null!;
    private ApiTestHost _api = null!;
    private StripeWebhookFunction _webhook = null!;

    public async Task InitializeAsync() => (_stripe, _app, _api, _webhook) = await StripeDownstream.StartAsync(cosmos, smtp, _tenant.Id, WebhookSecret);

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _stripe.DisposeAsync();
    }

    [Fact]
    public async Task One_refund_at_stripe_one_restock_and_a_later_failure_recorded_once()
    {
        var orderId = await ShippedAndCapturedAsync();
        Assert.Equal(3, await _app.AvailableAsync("BEANS"));

        var refunded = await _api.SendAsync("POST", $"/api/v1/orders/{orderId}/refunds", (r, ct) => _api.Refunds.OrderRefunds(r, orderId, ct), _tenant.Admin,
            """{"lines":[{"productId":"BEANS","quantity":1,"withReturn":true}],"reason":"Arrived broken"}""", new Dictionary<string, string> { ["Idempotency-Key"] = "refund-1" });
        Assert.Equal(202, refunded.StatusCode);
        var refundId = refunded.Json.GetProperty("id").GetString()!;

        // The RefundRequested message, three deliveries at once (a lost lock, a replay): one refund at Stripe.
        var requested = Downstream.RefundEvent(await _app.OrderAsync(orderId), refundId, OrderEventTypes.RefundRequested);
        var deliveries = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Record.ExceptionAsync(() => _app.PaymentFunction.HandleAsync(requested, CancellationToken.None))));
        Assert.True(_stripe.Failures.IsEmpty, string.Join("\n", _stripe.Failures));

        // A delivery that met another one's request in flight at Stripe (409) failed, to be redelivered; none failed otherwise.
        Assert.All(deliveries.Where(e => e is not null), e => Assert.IsType<Functions.Platform.Hosting.DependencyUnavailableException>(e));
        await _app.PumpAsync();
        _app.ForgetDeliveries();
        await _app.PumpAsync();

        var stripeRefund = Assert.Single(_stripe.Refunds);
        Assert.Equal((1250L, (string?)(await _app.OrderAsync(orderId)).Payment!.PaymentId), (stripeRefund["amount"]!.GetValue<long>(), (string?)stripeRefund["payment_intent"]));
        Assert.Equal((_tenant.Id, orderId, refundId), ((string?)stripeRefund["metadata"]!["tenant_id"], (string?)stripeRefund["metadata"]!["order_id"], (string?)stripeRefund["metadata"]!["refund_id"]));
        Assert.All(_stripe.Requests.Where(r => r.Path == "/v1/refunds"), r => Assert.Equal($"{requested.Id}:refund", r.IdempotencyKey));
        var order = await _app.OrderAsync(orderId);
        var refund = order.Refund(refundId)!;
        Assert.Equal((RefundStatus.Succeeded, (string?)stripeRefund["id"]), (refund.Status, refund.ProviderRefundId));
        Assert.NotNull(refund.RestockedAt);
        Assert.Equal(4, await _app.AvailableAsync("BEANS"));

        // Days later the card's refund fails at Stripe; Stripe sends refund.failed, twice.
        var payload = StripeEvents.Event("refund.failed", _stripe.FailRefund((string)stripeRefund["id"]!));
        var first = await WebhookAsync(payload);
        var again = await WebhookAsync(payload);
        var charge = new JsonObject { ["id"] = "ch_1", ["object"] = "charge", ["payment_intent"] = stripeRefund["payment_intent"]!.DeepClone(), ["refunds"] = new JsonObject { ["object"] = "list", ["data"] = new JsonArray(_stripe.Refund((string)stripeRefund["id"]!).DeepClone()) } };
        var chargeRefunded = await WebhookAsync(StripeEvents.Event("charge.refunded", charge));
        Assert.Equal(("applied", "already-applied", "already-applied"), (Result(first), Result(again), Result(chargeRefunded)));
        await _app.PumpAsync();

        order = await _app.OrderAsync(orderId);
        Assert.Equal((RefundStatus.Failed, "expired_or_canceled_card"), (order.Refund(refundId)!.Status, order.Refund(refundId)!.FailureCode));
        Assert.Equal(0, order.RefundedMinor);
        Assert.Equal(4, await _app.AvailableAsync("BEANS"));
        var mails = await smtp.MessagesToAsync(_contact, 4);
        Assert.Equal(
            [$"Your order {orderId} is confirmed", $"Your order {orderId} has shipped", $"Your refund for order {orderId}", $"Your refund for order {orderId} did not go through"],
            mails.Select(m => m.Subject));
    }

    private async Task<string> ShippedAndCapturedAsync()
    {
        Assert.Equal(201, (await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin,
            """{"id":"BEANS","name":"Espresso beans","price":12.5,"currency":"EUR","availableStock":5}""")).StatusCode);
        var body = JsonSerializer.Serialize(new { lines = new[] { new { productId = "BEANS", quantity = 2 } }, contactEmail = _contact, paymentMethod = "pm_card_refundFail" });
        var placed = await _api.SendAsync("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, body, new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
        var orderId = placed.Json.GetProperty("id").GetString()!;
        await _app.PumpAsync();
        var confirmed = await _api.SendAsync("GET", $"/api/v1/orders/{orderId}", (r, ct) => _api.Orders.Order(r, orderId, ct), _tenant.Admin);
        var shipped = await _api.SendAsync("POST", $"/api/v1/orders/{orderId}/ship", (r, ct) => _api.Orders.OrderShipment(r, orderId, ct), _tenant.Admin,
            headers: new Dictionary<string, string> { ["If-Match"] = confirmed.Headers.ETag.ToString() });
        Assert.Equal(200, shipped.StatusCode);
        await _app.PumpAsync();
        return orderId;
    }

    private Task<TestResponse> WebhookAsync(string payload) =>
        _api.SendAsync("POST", "/api/" + ApiRoutes.StripeWebhook, _webhook.Run, body: payload,
            headers: new Dictionary<string, string> { ["Stripe-Signature"] = StripeEvents.SignatureHeader(payload, WebhookSecret, _app.Clock.GetUtcNow()) });

    private static string? Result(TestResponse response) => response.Json.GetProperty("result").GetString();
}
