using System.Text.Json;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Features.Payments.Stripe;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.EndToEnd;

/// <summary>
/// The order flow in one process with the Stripe provider against a Stripe-like API on 127.0.0.1: placed through the
/// HTTP function, reserved, authorized into 3-D Secure, completed by the customer, reported by a signed webhook through
/// the app's middleware, confirmed, shipped and captured, with the customer's emails from a real SMTP server.
/// </summary>
[Collection(DownstreamCollection.Name)]
public sealed class StripeOrderFlowTests(CosmosServerFixture cosmos, SmtpServerFixture smtp) : IAsyncLifetime
{
    private const string WebhookSecret = "whsec_end_to_end";

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
    public async Task Placed_reserved_3d_secure_then_the_webhook_confirms_shipping_captures_once_and_the_customer_is_emailed()
    {
        var product = await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin,
            """{"id":"BEANS","name":"Espresso beans","price":12.5,"currency":"EUR","availableStock":5}""");
        Assert.Equal(201, product.StatusCode);
        var body = JsonSerializer.Serialize(new { lines = new[] { new { productId = "BEANS", quantity = 2 } }, contactEmail = _contact, paymentMethod = "pm_card_authenticationRequired" });
        var placed = await _api.SendAsync("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, body, new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
        Assert.Equal(201, placed.StatusCode);
        var orderId = placed.Json.GetProperty("id").GetString()!;

        await _app.PumpAsync();

        // Reserved, the intent created (25.00 EUR as 2500 cents, manual capture, the order in its metadata) and confirmed into 3-D Secure.
        Assert.Equal(3, await _app.AvailableAsync("BEANS"));
        var create = Assert.Single(_stripe.Requests, r => r.Path == "/v1/payment_intents");
        Assert.Equal(("2500", "eur", "manual"), (create.Form["amount"], create.Form["currency"], create.Form["capture_method"]));
        Assert.Equal((_tenant.Id, orderId), (create.Form["metadata[tenant_id]"], create.Form["metadata[order_id]"]));
        var intentId = (await _app.OrderAsync(orderId)).Payment!.PaymentId;
        Assert.Equal("requires_action", (string?)_stripe.Intent(intentId)["status"]);
        var waiting = await _api.SendAsync("GET", $"/api/v1/orders/{orderId}", (r, ct) => _api.Orders.Order(r, orderId, ct), _tenant.Alice);
        Assert.Equal("awaitingPayment", waiting.Json.GetProperty("status").GetString());
        Assert.Equal((string?)_stripe.Intent(intentId)["client_secret"], waiting.Json.GetProperty("payment").GetProperty("clientSecret").GetString());

        // The customer completes 3-D Secure in the browser; Stripe reports it, twice (it redelivers).
        var payload = StripeEvents.Event("payment_intent.amount_capturable_updated", _stripe.CompleteAction(intentId));
        var signature = StripeEvents.SignatureHeader(payload, WebhookSecret, _app.Clock.GetUtcNow());
        var headers = new Dictionary<string, string> { ["Stripe-Signature"] = signature };
        var first = await _api.SendAsync("POST", "/api/" + ApiRoutes.StripeWebhook, _webhook.Run, body: payload, headers: headers);
        var again = await _api.SendAsync("POST", "/api/" + ApiRoutes.StripeWebhook, _webhook.Run, body: payload, headers: headers);
        Assert.Equal(("applied", "already-applied"), (first.Json.GetProperty("result").GetString(), again.Json.GetProperty("result").GetString()));
        await _app.PumpAsync();

        var confirmed = await _api.SendAsync("GET", $"/api/v1/orders/{orderId}", (r, ct) => _api.Orders.Order(r, orderId, ct), _tenant.Alice);
        Assert.Equal("confirmed", confirmed.Json.GetProperty("status").GetString());
        var shipped = await _api.SendAsync("POST", $"/api/v1/orders/{orderId}/ship", (r, ct) => _api.Orders.OrderShipment(r, orderId, ct), _tenant.Admin,
            headers: new Dictionary<string, string> { ["If-Match"] = confirmed.Headers.ETag.ToString() });
        Assert.Equal(200, shipped.StatusCode);
        await _app.PumpAsync();
        _app.ForgetDeliveries();
        await _app.PumpAsync();

        var capture = Assert.Single(_stripe.Requests, r => r.Path == $"/v1/payment_intents/{intentId}/capture");
        Assert.Equal(("2500", $"{orderId}.OrderShipped:capture"), (capture.Form["amount_to_capture"], capture.IdempotencyKey));
        Assert.Equal(("succeeded", 2500L), ((string?)_stripe.Intent(intentId)["status"], _stripe.Intent(intentId)["amount_received"]!.GetValue<long>()));
        Assert.Equal(PaymentStatus.Captured, (await _app.OrderAsync(orderId)).Payment!.Status);
        Assert.All(_stripe.Requests.Where(r => r.Method == "POST"), r => Assert.StartsWith(orderId, r.IdempotencyKey, StringComparison.Ordinal));
        Assert.Equal(3, await _app.AvailableAsync("BEANS"));
        var mails = await smtp.MessagesToAsync(_contact, 2);
        Assert.Equal([$"Your order {orderId} is confirmed", $"Your order {orderId} has shipped"], mails.Select(m => m.Subject));
    }

    [Fact]
    public async Task A_zero_decimal_order_authorizes_and_captures_its_placement_total_in_whole_yen_whatever_the_price_becomes()
    {
        var created = await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin,
            """{"id":"MATCHA","name":"Matcha","price":500,"currency":"JPY","availableStock":5}""");
        Assert.Equal(201, created.StatusCode);
        var body = JsonSerializer.Serialize(new { lines = new[] { new { productId = "MATCHA", quantity = 3 } }, contactEmail = _contact, paymentMethod = "pm_card_visa" });
        var placed = await _api.SendAsync("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, body, new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
        Assert.Equal(201, placed.StatusCode);
        var orderId = placed.Json.GetProperty("id").GetString()!;

        // The price changes after placement, before the payment step runs: the order's total (1500) is what is held.
        var repriced = await _api.SendAsync("PUT", "/api/v1/products/MATCHA", (r, ct) => _api.Catalog.Product(r, "MATCHA", ct), _tenant.Admin,
            """{"name":"Matcha","price":900,"currency":"JPY"}""", new Dictionary<string, string> { ["If-Match"] = created.Headers.ETag.ToString() });
        Assert.Equal(200, repriced.StatusCode);
        await _app.PumpAsync();

        var create = Assert.Single(_stripe.Requests, r => r.Path == "/v1/payment_intents");
        Assert.Equal(("1500", "jpy"), (create.Form["amount"], create.Form["currency"]));
        var confirmed = await _api.SendAsync("GET", $"/api/v1/orders/{orderId}", (r, ct) => _api.Orders.Order(r, orderId, ct), _tenant.Alice);
        Assert.Equal("confirmed", confirmed.Json.GetProperty("status").GetString());
        Assert.Equal((1500m, 1500m, "JPY"), (confirmed.Json.GetProperty("total").GetDecimal(), confirmed.Json.GetProperty("payment").GetProperty("amount").GetDecimal(), confirmed.Json.GetProperty("payment").GetProperty("currency").GetString()));

        var shipped = await _api.SendAsync("POST", $"/api/v1/orders/{orderId}/ship", (r, ct) => _api.Orders.OrderShipment(r, orderId, ct), _tenant.Admin,
            headers: new Dictionary<string, string> { ["If-Match"] = confirmed.Headers.ETag.ToString() });
        Assert.Equal(200, shipped.StatusCode);
        await _app.PumpAsync();

        var intentId = (await _app.OrderAsync(orderId)).Payment!.PaymentId;
        var capture = Assert.Single(_stripe.Requests, r => r.Path == $"/v1/payment_intents/{intentId}/capture");
        Assert.Equal("1500", capture.Form["amount_to_capture"]);
    }
}
