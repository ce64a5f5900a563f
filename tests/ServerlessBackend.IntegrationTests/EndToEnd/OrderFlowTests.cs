using System.Text.Json;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Features.Payments;
using ServerlessBackend.Tests.Support;
using Xunit.Abstractions;

namespace ServerlessBackend.IntegrationTests.EndToEnd;

/// <summary>
/// The whole flow in one process: HTTP functions through the app's middleware, the real Cosmos adapters
/// (Cosmos-protocol server), the real outbox into a mocked ServiceBusSender, a small pump that
/// delivers each sent message to the subscriptions whose filters match (dropping a repeated MessageId as
/// the topic's duplicate detection does), the Service Bus functions, and a real SMTP server.
/// </summary>
[Collection(DownstreamCollection.Name)]
public sealed class OrderFlowTests : IDisposable
{
    private readonly CosmosServerFixture _cosmos;
    private readonly SmtpServerFixture _smtp;
    private readonly ITestOutputHelper _output;
    private readonly TestTenant _tenant = new();
    private readonly Downstream _app;
    private readonly ApiTestHost _api;
    private readonly string _contact = $"{Guid.NewGuid():N}@example.test";
    private int _deliveries;

    public OrderFlowTests(CosmosServerFixture cosmos, SmtpServerFixture smtp, ITestOutputHelper output)
    {
        (_cosmos, _smtp, _output) = (cosmos, smtp, output);
        _app = new Downstream(cosmos, smtp, _tenant.Id);
        _api = new ApiTestHost(cosmos, _app.Clock, _app.Outbox, metrics: _app.Metrics.App);
    }

    [Fact]
    public async Task Placed_confirmed_shipped_each_step_emails_the_customer_once_and_the_stock_is_taken_once()
    {
        await CreateProduct("BEANS", stock: 5);

        var placed = await Place(("BEANS", 2));
        var orderId = placed.Json.GetProperty("id").GetString()!;
        await PumpAsync();

        var confirmed = await GetOrder(orderId);
        Assert.Equal("confirmed", confirmed.Json.GetProperty("status").GetString());
        Assert.Equal(3, await _app.AvailableAsync("BEANS"));
        await AssertMailsAsync(orderId, $"Your order {orderId} is confirmed");

        var shipped = await _api.SendAsync("POST", $"/api/v1/orders/{orderId}/ship", (r, ct) => _api.Orders.OrderShipment(r, orderId, ct), _tenant.Admin,
            headers: new Dictionary<string, string> { ["If-Match"] = confirmed.Headers.ETag.ToString() });
        Assert.Equal(200, shipped.StatusCode);
        Assert.Equal("shipped", shipped.Json.GetProperty("status").GetString());
        await PumpAsync();

        await AssertMailsAsync(orderId, $"Your order {orderId} is confirmed", $"Your order {orderId} has shipped");
        Assert.Equal(3, await _app.AvailableAsync("BEANS"));
        Assert.False(await _app.Stock.ReleaseAsync(_tenant.Id, "BEANS", orderId, 2, CancellationToken.None));
        var published = _app.Bus.Sent.Where(m => m.SessionId == orderId).Select(m => m.Subject).Distinct().ToList();
        Assert.Equal(["OrderPlaced", "OrderReserved", "OrderConfirmed", "OrderShipped", "PaymentCaptured"], published);
        var order = await _app.OrderAsync(orderId);
        Assert.Equal([PaymentStatus.Created, PaymentStatus.Authorized, PaymentStatus.Captured], order.Payment!.History.Select(h => h.Status));
        Assert.Equal(2500, order.Payment.AmountMinor);
        Assert.Equal([$"Create {orderId}.OrderReserved:create", $"Authorize {orderId}.OrderReserved:authorize", $"Capture {orderId}.OrderShipped:capture"], _app.PaymentProvider.Calls);
        _output.WriteLine($"messages published for the order: {published.Count}; deliveries to subscriptions: {_deliveries}");
    }

    [Fact]
    public async Task Short_stock_rejects_the_order_emails_the_reason_and_leaves_the_stock_alone()
    {
        await CreateProduct("BEANS", stock: 1);

        var orderId = (await Place(("BEANS", 2))).Json.GetProperty("id").GetString()!;
        await PumpAsync();

        Assert.Equal("rejected", (await GetOrder(orderId)).Json.GetProperty("status").GetString());
        Assert.Equal(1, await _app.AvailableAsync("BEANS"));
        var mail = Assert.Single(await AssertMailsAsync(orderId, $"We could not accept your order {orderId}"));
        Assert.Contains("Reason: Not enough stock for Espresso beans.", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_declined_payment_rejects_the_order_gives_the_stock_back_and_emails_the_reason()
    {
        await CreateProduct("BEANS", stock: 5);

        var orderId = (await Place("pm_card_chargeDeclined", ("BEANS", 2))).Json.GetProperty("id").GetString()!;
        await PumpAsync();

        var rejected = await GetOrder(orderId);
        Assert.Equal("rejected", rejected.Json.GetProperty("status").GetString());
        Assert.Equal("declined", rejected.Json.GetProperty("payment").GetProperty("status").GetString());
        Assert.Equal(5, await _app.AvailableAsync("BEANS"));
        var mail = Assert.Single(await AssertMailsAsync(orderId, $"We could not accept your order {orderId}"));
        Assert.Contains("Reason: The payment was declined (generic_decline).", mail.Text, StringComparison.Ordinal);
        Assert.Empty(_app.PaymentProvider.KeysOf("Capture"));
    }

    [Fact]
    public async Task Cancelling_while_awaiting_the_customers_action_voids_the_payment_and_gives_the_stock_back()
    {
        await CreateProduct("BEANS", stock: 5);
        var orderId = (await Place(LocalPaymentProvider.AuthenticationRequired, ("BEANS", 2))).Json.GetProperty("id").GetString()!;
        await PumpAsync();

        var waiting = await GetOrder(orderId);
        Assert.Equal("awaitingPayment", waiting.Json.GetProperty("status").GetString());
        Assert.EndsWith("_secret_local", waiting.Json.GetProperty("payment").GetProperty("clientSecret").GetString(), StringComparison.Ordinal);
        Assert.Equal("no-store", waiting.Headers.CacheControl.ToString());
        var asAdmin = await _api.SendAsync("GET", $"/api/v1/orders/{orderId}", (r, ct) => _api.Orders.Order(r, orderId, ct), _tenant.Admin);
        Assert.False(asAdmin.Json.GetProperty("payment").TryGetProperty("clientSecret", out _));
        Assert.Equal(3, await _app.AvailableAsync("BEANS"));

        var cancelled = await _api.SendAsync("POST", $"/api/v1/orders/{orderId}/cancel", (r, ct) => _api.Orders.OrderCancellation(r, orderId, ct), _tenant.Alice);
        Assert.Equal(200, cancelled.StatusCode);
        await PumpAsync();

        Assert.Equal(5, await _app.AvailableAsync("BEANS"));
        Assert.Equal(PaymentStatus.Voided, (await _app.OrderAsync(orderId)).Payment!.Status);
        await AssertMailsAsync(orderId, $"Your order {orderId} is cancelled");
    }

    [Fact]
    public async Task Cancelling_a_confirmed_order_gives_the_stock_back_and_emails_the_cancellation()
    {
        await CreateProduct("BEANS", stock: 5);
        var orderId = (await Place(("BEANS", 4))).Json.GetProperty("id").GetString()!;
        await PumpAsync();
        Assert.Equal(1, await _app.AvailableAsync("BEANS"));

        var cancelled = await _api.SendAsync("POST", $"/api/v1/orders/{orderId}/cancel", (r, ct) => _api.Orders.OrderCancellation(r, orderId, ct), _tenant.Alice);
        Assert.Equal(200, cancelled.StatusCode);
        await PumpAsync();

        Assert.Equal(5, await _app.AvailableAsync("BEANS"));
        Assert.Equal(PaymentStatus.Voided, (await _app.OrderAsync(orderId)).Payment!.Status);
        await AssertMailsAsync(orderId, $"Your order {orderId} is confirmed", $"Your order {orderId} is cancelled");
    }

    [Fact]
    public async Task If_the_publish_after_the_write_fails_the_relay_delivers_the_order_anyway()
    {
        await CreateProduct("BEANS", stock: 5);
        _app.Bus.FailNext();

        var placed = await Place(("BEANS", 1));
        Assert.Equal(201, placed.StatusCode);
        var orderId = placed.Json.GetProperty("id").GetString()!;
        Assert.Empty(_app.Bus.Sent);

        _app.Clock.Advance(Functions.Features.Outbox.OutboxRelayHandler.Delay + TimeSpan.FromSeconds(1));
        var relay = new Functions.Features.Outbox.OutboxRelayHandler(_app.Orders, _app.Outbox, _app.Clock, _app.Metrics.App, Microsoft.Extensions.Logging.Abstractions.NullLogger<Functions.Features.Outbox.OutboxRelayHandler>.Instance);
        Assert.Equal(1, await relay.RunAsync(CancellationToken.None));
        await PumpAsync();

        Assert.Equal("confirmed", (await GetOrder(orderId)).Json.GetProperty("status").GetString());
        await AssertMailsAsync(orderId, $"Your order {orderId} is confirmed");
    }

    [Fact]
    public async Task The_journey_counts_each_step_once_for_its_tenant_through_a_retried_place_and_redeliveries_and_no_metric_tag_holds_an_email_address()
    {
        await CreateProduct("BEANS", stock: 5);
        var body = JsonSerializer.Serialize(new { lines = new[] { new { productId = "BEANS", quantity = 2 } }, contactEmail = _contact });
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };
        var placed = await _api.SendAsync("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, body, key);
        var retried = await _api.SendAsync("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, body, key);
        var orderId = placed.Json.GetProperty("id").GetString()!;
        Assert.Equal(orderId, retried.Json.GetProperty("id").GetString());
        await PumpAsync();

        // Every message delivered a second time, as if duplicate detection had let them all through.
        _app.ForgetDeliveries();
        await PumpAsync();
        Assert.Equal(200, (await _api.SendAsync("POST", $"/api/v1/orders/{orderId}/cancel", (r, ct) => _api.Orders.OrderCancellation(r, orderId, ct), _tenant.Alice)).StatusCode);
        await PumpAsync();
        await AssertMailsAsync(orderId, $"Your order {orderId} is confirmed", $"Your order {orderId} is cancelled");

        var tenant = ("tenant.id", _tenant.Id);
        Assert.Equal(1, _app.Metrics.Sum("orders.placed", tenant));
        Assert.Equal(1, _app.Metrics.Sum("orders.status_changes", tenant, ("order.status", "awaitingPayment")));
        Assert.Equal(1, _app.Metrics.Sum("orders.status_changes", tenant, ("order.status", "confirmed")));
        Assert.Equal(1, _app.Metrics.Sum("orders.status_changes", tenant, ("order.status", "cancelled")));
        Assert.Equal(3, _app.Metrics.Sum("orders.status_changes"));
        Assert.Equal(2, _app.Metrics.Sum("emails.sends", tenant, ("outcome", "sent")));
        Assert.Equal(2, _app.Metrics.Sum("emails.sends"));
        var tags = _app.Metrics.All.SelectMany(m => m.Tags.Values).ToList();
        Assert.Contains(_tenant.Id, tags);
        Assert.All(tags, v => Assert.DoesNotContain("@", v, StringComparison.Ordinal));
    }

    public void Dispose() => _app.Dispose();

    private async Task PumpAsync() => _deliveries += await _app.PumpAsync();

    private async Task CreateProduct(string sku, int stock)
    {
        var body = $$"""{"id":"{{sku}}","name":"Espresso beans","price":12.5,"currency":"EUR","availableStock":{{stock}}}""";
        var response = await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin, body);
        Assert.Equal(201, response.StatusCode);
    }

    private Task<TestResponse> Place(params (string Sku, int Quantity)[] lines) => Place(paymentMethod: null, lines);

    private async Task<TestResponse> Place(string? paymentMethod, params (string Sku, int Quantity)[] lines)
    {
        var body = JsonSerializer.Serialize(new { lines = lines.Select(l => new { productId = l.Sku, quantity = l.Quantity }), contactEmail = _contact, paymentMethod });
        var response = await _api.SendAsync("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, body,
            new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
        Assert.Equal(201, response.StatusCode);
        return response;
    }

    private Task<TestResponse> GetOrder(string orderId) =>
        _api.SendAsync("GET", $"/api/v1/orders/{orderId}", (r, ct) => _api.Orders.Order(r, orderId, ct), _tenant.Alice);

    /// <summary>The mails the customer got for this order have exactly these subjects, in this order.</summary>
    private async Task<List<ReceivedMail>> AssertMailsAsync(string orderId, params string[] subjects)
    {
        var mails = await _smtp.MessagesToAsync(_contact, subjects.Length);

        Assert.Equal(subjects, mails.Select(m => m.Subject));
        Assert.All(mails, m => Assert.Contains(orderId, m.Html, StringComparison.Ordinal));
        return mails;
    }
}
