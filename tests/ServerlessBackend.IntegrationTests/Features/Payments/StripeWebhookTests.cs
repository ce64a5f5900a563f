using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Features.Payments;
using ServerlessBackend.Functions.Features.Payments.Stripe;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Telemetry;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Payments;

/// <summary>
/// The Stripe webhook route through the app's middleware, over orders whose payment the Stripe provider made against a
/// Stripe-like API on 127.0.0.1, with signatures computed as Stripe documents. Cosmos requests are counted.
/// </summary>
public sealed class StripeWebhookTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>, IAsyncLifetime
{
    private const string Secret = "whsec_test_endpoint_secret";
    private const string Authorized = "payment_intent.amount_capturable_updated";

    private readonly ApiTestHost _api = new(cosmos);
    private readonly FakeLogger<StripeWebhookHandler> _log = new();
    private readonly List<Downstream> _apps = [];
    private FakeStripeApi _stripe = null!;
    private IOptions<StripeOptions> _options = null!;
    private Downstream _app = null!;
    private StripeWebhookFunction _webhook = null!;

    public async Task InitializeAsync()
    {
        _stripe = await FakeStripeApi.StartAsync();
        _options = Options.Create(new StripeOptions { SecretKey = FakeStripeApi.SecretKey, WebhookSecret = Secret, ApiBase = _stripe.BaseUrl, MaxNetworkRetries = 0 });
        _app = await TenantAsync();
        _webhook = new StripeWebhookFunction(new StripeWebhookHandler(_options, _app.PaymentOutcomes, _app.RefundOutcomes, _app.Clock, _log));
    }

    public async Task DisposeAsync()
    {
        _apps.ForEach(a => a.Dispose());
        await _stripe.DisposeAsync();
    }

    [Fact]
    public async Task A_signed_authorization_after_3d_secure_confirms_the_order()
    {
        var order = await AwaitingActionAsync();
        var payload = StripeEvents.Event(Authorized, _stripe.CompleteAction(order.Payment!.PaymentId));

        cosmos.Counter.Reset();
        var response = await SendAsync(payload, Sign(payload));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("applied", response.Json.GetProperty("result").GetString());
        // The order read, the replace with the outcome and OrderConfirmed, and the outbox's mark-published replace.
        Assert.Equal(["GET", "PUT", "PUT"], cosmos.Counter.Requests.Select(r => r.Method));
        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal(OrderStatus.Confirmed, stored.Status);
        Assert.Equal(PaymentStatus.Authorized, stored.Payment!.Status);
        Assert.Null(stored.Payment.ClientSecret);
    }

    [Fact]
    public async Task An_authorization_holding_another_amount_than_the_orders_payment_confirms_nothing()
    {
        var order = await AwaitingActionAsync();
        var intent = _stripe.CompleteAction(order.Payment!.PaymentId);
        // Someone changed the intent at Stripe: the hold is one cent short of the order total.
        intent["amount_capturable"] = order.Payment.AmountMinor - 1;
        var payload = StripeEvents.Event(Authorized, intent);

        cosmos.Counter.Reset();
        var response = await SendAsync(payload, Sign(payload));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("ignored", response.Json.GetProperty("result").GetString());
        Assert.Equal(["GET"], cosmos.Counter.Requests.Select(r => r.Method));
        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.AwaitingPayment, PaymentStatus.ActionRequired), (stored.Status, stored.Payment!.Status));
    }

    [Fact]
    public async Task A_failed_3d_secure_rejects_the_order_with_the_code()
    {
        var order = await AwaitingActionAsync();
        var payload = StripeEvents.Event("payment_intent.payment_failed", _stripe.FailAction(order.Payment!.PaymentId));

        var response = await SendAsync(payload, Sign(payload));

        Assert.Equal(200, response.StatusCode);
        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal(OrderStatus.Rejected, stored.Status);
        Assert.Equal((PaymentStatus.Declined, "payment_intent_authentication_failure"), (stored.Payment!.Status, stored.Payment.FailureCode));
    }

    [Fact]
    public async Task An_authorization_after_the_decline_rejected_the_order_is_voided_so_a_rejected_order_keeps_no_money()
    {
        var order = await AwaitingActionAsync();
        var failed = StripeEvents.Event("payment_intent.payment_failed", _stripe.FailAction(order.Payment!.PaymentId));
        Assert.Equal(200, (await SendAsync(failed, Sign(failed))).StatusCode);

        // The customer tries another card in the browser with the client secret they still hold, and Stripe holds the money.
        var authorized = StripeEvents.Event(Authorized, _stripe.CompleteAction(order.Payment.PaymentId));
        var response = await SendAsync(authorized, Sign(authorized));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("canceled", (string?)_stripe.Intent(order.Payment.PaymentId)["status"]);
        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Rejected, PaymentStatus.Declined), (stored.Status, stored.Payment!.Status));
        Assert.Equal([$"{order.Id}.OrderRejected:void"], _app.PaymentProvider.KeysOf("Void"));
    }

    [Fact]
    public async Task The_same_event_delivered_twice_has_one_effect_and_the_second_only_reads()
    {
        var order = await AwaitingActionAsync();
        var payload = StripeEvents.Event(Authorized, _stripe.CompleteAction(order.Payment!.PaymentId));
        Assert.Equal(200, (await SendAsync(payload, Sign(payload))).StatusCode);
        var first = await _app.OrderAsync(order.Id);

        cosmos.Counter.Reset();
        var again = await SendAsync(payload, Sign(payload));

        Assert.Equal(200, again.StatusCode);
        Assert.Equal("already-applied", again.Json.GetProperty("result").GetString());
        Assert.Equal(["GET"], cosmos.Counter.Requests.Select(r => r.Method));
        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal(first.StatusHistory, stored.StatusHistory);
        Assert.Equal(first.Payment!.History, stored.Payment!.History);
    }

    [Fact]
    public async Task An_older_event_arriving_after_a_newer_one_changes_nothing()
    {
        var order = await AwaitingActionAsync();
        var requiresAction = StripeEvents.Event("payment_intent.requires_action", _stripe.Intent(order.Payment!.PaymentId));
        var authorized = StripeEvents.Event(Authorized, _stripe.CompleteAction(order.Payment.PaymentId));
        Assert.Equal(200, (await SendAsync(authorized, Sign(authorized))).StatusCode);

        var late = await SendAsync(requiresAction, Sign(requiresAction));

        Assert.Equal(200, late.StatusCode);
        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Confirmed, PaymentStatus.Authorized), (stored.Status, stored.Payment!.Status));
    }

    [Fact]
    public async Task A_tampered_body_is_400_and_touches_nothing()
    {
        var order = await AwaitingActionAsync();
        var payload = StripeEvents.Event(Authorized, _stripe.CompleteAction(order.Payment!.PaymentId));
        var tampered = payload.Replace($"\"amount\":{order.Payment.AmountMinor}", "\"amount\":1", StringComparison.Ordinal);
        Assert.NotEqual(payload, tampered);

        await AssertRefusedAsync(order, tampered, Sign(payload));
    }

    [Fact]
    public async Task A_signed_body_starting_with_a_byte_order_mark_is_verified_over_the_bytes_received_and_applied()
    {
        // The signature covers the exact bytes sent, the mark included; only reading the event skips it (RFC 8259, 8.1).
        var order = await AwaitingActionAsync();
        var payload = "\uFEFF" + StripeEvents.Event(Authorized, _stripe.CompleteAction(order.Payment!.PaymentId));

        var response = await SendAsync(payload, Sign(payload));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("applied", response.Json.GetProperty("result").GetString());
        Assert.Equal(OrderStatus.Confirmed, (await _app.OrderAsync(order.Id)).Status);
    }

    [Fact]
    public async Task A_byte_order_mark_added_to_a_body_signed_without_one_fails_the_signature_and_touches_nothing()
    {
        var order = await AwaitingActionAsync();
        var payload = StripeEvents.Event(Authorized, _stripe.CompleteAction(order.Payment!.PaymentId));

        await AssertRefusedAsync(order, "\uFEFF" + payload, Sign(payload));
    }

    [Fact]
    public async Task A_timestamp_older_than_five_minutes_is_400_and_touches_nothing()
    {
        var order = await AwaitingActionAsync();
        var payload = StripeEvents.Event(Authorized, _stripe.CompleteAction(order.Payment!.PaymentId));

        await AssertRefusedAsync(order, payload, StripeEvents.SignatureHeader(payload, Secret, _app.Clock.GetUtcNow().AddSeconds(-301)));
    }

    [Fact]
    public async Task A_timestamp_more_than_five_minutes_ahead_is_400_and_touches_nothing()
    {
        var order = await AwaitingActionAsync();
        var payload = StripeEvents.Event(Authorized, _stripe.CompleteAction(order.Payment!.PaymentId));

        await AssertRefusedAsync(order, payload, StripeEvents.SignatureHeader(payload, Secret, _app.Clock.GetUtcNow().AddDays(1)));
    }

    [Fact]
    public async Task Another_secret_is_400_and_touches_nothing()
    {
        var order = await AwaitingActionAsync();
        var payload = StripeEvents.Event(Authorized, _stripe.CompleteAction(order.Payment!.PaymentId));

        await AssertRefusedAsync(order, payload, StripeEvents.SignatureHeader(payload, "whsec_another_endpoint", _app.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task A_missing_signature_is_400_and_touches_nothing()
    {
        var order = await AwaitingActionAsync();
        var payload = StripeEvents.Event(Authorized, _stripe.CompleteAction(order.Payment!.PaymentId));

        await AssertRefusedAsync(order, payload, header: null);
    }

    [Fact]
    public async Task Metadata_naming_another_tenants_order_is_answered_200_and_writes_nothing()
    {
        var order = await AwaitingActionAsync();
        var other = await TenantAsync();
        var otherOrder = await AwaitingActionAsync(other);
        var intent = _stripe.CompleteAction(order.Payment!.PaymentId);
        intent["metadata"] = new JsonObject { ["tenant_id"] = other.Tenant, ["order_id"] = otherOrder.Id };
        var payload = StripeEvents.Event(Authorized, intent);

        await AssertIgnoredAsync(payload, order, otherOrder);
        Assert.Equal(OrderStatus.AwaitingPayment, (await other.OrderAsync(otherOrder.Id)).Status);
    }

    [Fact]
    public async Task Metadata_naming_an_order_whose_payment_is_another_intent_is_answered_200_and_writes_nothing()
    {
        var order = await AwaitingActionAsync();
        var provider = new StripePaymentProvider(_options);
        var request = new PaymentRequest(order.TenantId, order.Id, order.Payment!.AmountMinor, order.Currency, "pm_card_visa");
        var stray = await provider.CreateAsync(request, "someone-else:create", CancellationToken.None);
        await provider.AuthorizeAsync(stray, request, "someone-else:authorize", CancellationToken.None);
        var payload = StripeEvents.Event(Authorized, _stripe.Intent(stray));

        await AssertIgnoredAsync(payload, order);
    }

    [Fact]
    public async Task What_the_webhook_logs_of_the_order_its_metadata_names_is_in_that_tenant_and_order_scope()
    {
        // A public endpoint: no caller, so no request scope; the order is known only once the event is read.
        var order = await AwaitingActionAsync();
        var intent = _stripe.CompleteAction(order.Payment!.PaymentId);
        intent["metadata"]!["order_id"] = "o-does-not-exist";
        var payload = StripeEvents.Event(Authorized, intent);

        await SendAsync(payload, Sign(payload));

        var warning = Assert.Single(_log.Collector.GetSnapshot(), l => l.Level == LogLevel.Warning);
        var scope = Assert.Single(warning.Scopes.OfType<IReadOnlyDictionary<string, object>>());
        Assert.Equal(order.TenantId, scope[TelemetryTags.TenantId]);
        Assert.Equal("o-does-not-exist", scope[TelemetryTags.OrderId]);
    }

    [Fact]
    public async Task Metadata_naming_no_order_in_the_tenant_is_answered_200_and_writes_nothing()
    {
        var order = await AwaitingActionAsync();
        var intent = _stripe.CompleteAction(order.Payment!.PaymentId);
        intent["metadata"]!["order_id"] = "o-does-not-exist";
        var payload = StripeEvents.Event(Authorized, intent);

        await AssertIgnoredAsync(payload, order);
    }

    [Fact]
    public async Task Other_event_types_are_answered_200_without_a_cosmos_request()
    {
        var payload = StripeEvents.Event("charge.succeeded", new JsonObject { ["id"] = "ch_1", ["object"] = "charge" });

        cosmos.Counter.Reset();
        var response = await SendAsync(payload, Sign(payload));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("ignored", response.Json.GetProperty("result").GetString());
        Assert.Empty(cosmos.Counter.Requests);
    }

    [Fact]
    public async Task A_signed_body_that_is_not_an_event_is_400()
    {
        const string payload = "{\"not\":\"an event\"}";

        ProblemAssertions.AssertProblem(await SendAsync(payload, Sign(payload)), 400);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("\"evt_1\"")]
    [InlineData("null")]
    [InlineData("{\"id\":\"evt_1\",\"object\":\"event\",\"type\":")]
    [InlineData("{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"payment_intent.amount_capturable_updated\",\"data\":{\"object\":{\"object\":\"payment_intent\",\"amount\":\"lots\"}}}")]
    [InlineData("{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"payment_intent.amount_capturable_updated\",\"data\":{\"object\":{\"object\":\"payment_intent\",\"created\":-99999999999999}}}")]
    [InlineData("{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"payment_intent.amount_capturable_updated\",\"data\":{\"object\":{\"object\":\"payment_intent\",\"amount\":1e400}}}")]
    public async Task A_signed_body_that_is_no_readable_event_is_400_problem_and_touches_nothing(string payload) =>
        await AssertSignedRefusedAsync(payload, 400);

    [Fact]
    public async Task One_matching_v1_among_other_schemes_and_signatures_is_enough()
    {
        var order = await AwaitingActionAsync();
        var payload = StripeEvents.Event(Authorized, _stripe.CompleteAction(order.Payment!.PaymentId));
        var t = _app.Clock.GetUtcNow().ToUnixTimeSeconds();
        var header = $"t={t},v0={new string('0', 64)},v1={new string('a', 64)},v1=nothex,v1={StripeEvents.Signature(payload, Secret, t)},scheme=x";

        var response = await SendAsync(payload, header);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(OrderStatus.Confirmed, (await _app.OrderAsync(order.Id)).Status);
    }

    [Fact]
    public async Task A_signature_replayed_with_a_new_timestamp_is_400_and_touches_nothing()
    {
        var order = await AwaitingActionAsync();
        var payload = StripeEvents.Event(Authorized, _stripe.CompleteAction(order.Payment!.PaymentId));
        var now = _app.Clock.GetUtcNow().ToUnixTimeSeconds();
        var captured = StripeEvents.Signature(payload, Secret, now - 600);

        await AssertRefusedAsync(order, payload, $"t={now},v1={captured}");
        await AssertRefusedAsync(order, payload, $"t={now - 600},v1={captured},t={now}");
    }

    [Fact]
    public async Task A_signed_body_over_the_limit_is_413_problem_and_touches_nothing()
    {
        var payload = StripeEvents.Event("charge.succeeded", new JsonObject { ["id"] = "ch_1", ["object"] = "charge", ["description"] = new string('x', StripeWebhookHandler.MaxBodyBytes) });

        await AssertSignedRefusedAsync(payload, 413);
    }

    [Fact]
    public async Task Without_a_signing_secret_the_route_is_404_and_touches_nothing()
    {
        var webhook = new StripeWebhookFunction(new StripeWebhookHandler(Options.Create(new StripeOptions()), _app.PaymentOutcomes, _app.RefundOutcomes, _app.Clock, _log));
        const string payload = "{}";

        cosmos.Counter.Reset();
        var response = await _api.SendAsync("POST", "/api/" + ApiRoutes.StripeWebhook, webhook.Run, body: payload, headers: new Dictionary<string, string> { ["Stripe-Signature"] = Sign(payload) });

        ProblemAssertions.AssertProblem(response, 404);
        Assert.Empty(cosmos.Counter.Requests);
    }

    private async Task AssertRefusedAsync(Order order, string payload, string? header)
    {
        cosmos.Counter.Reset();
        var response = await SendAsync(payload, header);

        ProblemAssertions.AssertProblem(response, 400);
        Assert.Contains("Stripe-Signature", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(cosmos.Counter.Requests);
        Assert.Equal(PaymentStatus.ActionRequired, (await _app.OrderAsync(order.Id)).Payment!.Status);
    }

    private async Task AssertSignedRefusedAsync(string payload, int status)
    {
        cosmos.Counter.Reset();
        var response = await SendAsync(payload, Sign(payload));

        ProblemAssertions.AssertProblem(response, status);
        Assert.Empty(cosmos.Counter.Requests);
    }

    private async Task AssertIgnoredAsync(string payload, params Order[] untouched)
    {
        cosmos.Counter.Reset();
        var response = await SendAsync(payload, Sign(payload));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("ignored", response.Json.GetProperty("result").GetString());
        Assert.All(cosmos.Counter.Requests, r => Assert.Equal("GET", r.Method));
        var warning = Assert.Single(_log.Collector.GetSnapshot(), l => l.Level == LogLevel.Warning);
        Assert.Contains(StripeEvents.EventId(payload), warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("@", warning.Message, StringComparison.Ordinal);
        foreach (var order in untouched)
        {
            Assert.Equal(PaymentStatus.ActionRequired, (await _app.Orders.GetAsync(order.TenantId, order.Id, CancellationToken.None))!.Value.Payment!.Status);
        }
    }

    /// <summary>A tenant of its own whose payment step uses the Stripe provider against the Stripe-like API, with stock.</summary>
    private async Task<Downstream> TenantAsync()
    {
        var app = new Downstream(cosmos, paymentProvider: new StripePaymentProvider(_options));
        _apps.Add(app);
        await app.StockedAsync("BEANS", stock: 5);
        return app;
    }

    /// <summary>An order placed with a card that needs 3-D Secure, reserved, and its Stripe payment created and confirmed: awaiting the customer.</summary>
    private async Task<Order> AwaitingActionAsync(Downstream? app = null)
    {
        app ??= _app;
        var order = await app.PlacedWithAsync("customer@example.test", "pm_card_authenticationRequired", ("BEANS", 2));
        await app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None);
        await app.PaymentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderReserved), CancellationToken.None);
        var stored = await app.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.AwaitingPayment, PaymentStatus.ActionRequired, StripePaymentProvider.ProviderName), (stored.Status, stored.Payment!.Status, stored.Payment.Provider));
        Assert.Equal(500, stored.Payment.AmountMinor);
        return stored;
    }

    private string Sign(string payload) => StripeEvents.SignatureHeader(payload, Secret, _app.Clock.GetUtcNow());

    private Task<TestResponse> SendAsync(string payload, string? header) =>
        _api.SendAsync("POST", "/api/" + ApiRoutes.StripeWebhook, _webhook.Run, body: payload,
            headers: header is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Stripe-Signature"] = header });
}
