using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Domain.Webhooks;
using ServerlessBackend.Functions.Features.Webhooks;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace ServerlessBackend.IntegrationTests.Features.Webhooks;

/// <summary>
/// Delivery end to end in the process: an order event on the webhooks subscription fans out to attempt messages, each
/// attempt is signed and posted by the app's real sender (its SSRF-checking connection callback) to a receiver on
/// 127.0.0.1, which verifies it with the StandardWebhooks package's own verifier. Endpoints live in the Cosmos-protocol server.
/// </summary>
public sealed class WebhookDeliveryTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>, IAsyncLifetime
{
    private const string ClientSecret = "pi_3Nx_secret_do_not_leak";

    private readonly TestTenant _tenant = new();
    private ApiTestHost _api = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _api = new ApiTestHost(cosmos);
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task A_delivery_verifies_with_the_StandardWebhooks_verifier_and_carries_ids_and_statuses_but_no_personal_data_or_payment_secret()
    {
        var (id, secret) = await RegisterAsync(_receiver.Url.ToString(), "OrderShipped", "PaymentActionRequired");
        var order = await StoreOrderAsync();

        await DeliverAllAsync(Event(order, OrderEventTypes.PaymentActionRequired));

        var received = Assert.Single(_receiver.Received);
        new StandardWebhook(secret).Verify(received.Body, received.Headers);
        Assert.Equal(order.Id + "." + OrderEventTypes.PaymentActionRequired, received.Headers[WebhookHeaders.Id].ToString());
        var body = JsonDocument.Parse(received.Body).RootElement;
        Assert.Equal("PaymentActionRequired", body.GetProperty("type").GetString());
        Assert.Equal(order.Id, body.GetProperty("data").GetProperty("orderId").GetString());
        Assert.Equal("pending", body.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("actionRequired", body.GetProperty("data").GetProperty("paymentStatus").GetString());
        Assert.DoesNotContain(order.ContactEmail, received.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@", received.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(ClientSecret, received.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(order.CustomerId, received.Body, StringComparison.Ordinal);
        var endpoint = await ReadAsync(id);
        Assert.Equal(0, endpoint.ConsecutiveFailures);
        Assert.NotNull(endpoint.LastSuccessAt);
    }

    [Fact]
    public async Task A_refund_event_names_its_refund_with_status_and_amount_and_an_order_event_names_none()
    {
        await RegisterAsync(_receiver.Url.ToString(), "RefundRequested", "OrderShipped");
        var shipped = TestData.ShippedAndCaptured(TestData.Order(_tenant.Id), TestData.Now);
        var refund = new OrderRefund
        {
            Id = "rfd-webhook",
            Status = RefundStatus.Requested,
            AmountMinor = 1250,
            Currency = shipped.Currency,
            Lines = [],
            Reason = "damaged in transit",
            RequestHash = "hash",
            History = [new RefundChange(RefundStatus.Requested, TestData.Now, null)],
        };
        var order = shipped.WithNewRefund(refund, TestData.Now, "corr-1");
        await _api.Get<IOrderStore>().CreateAsync(order, CancellationToken.None);

        await DeliverAllAsync(Event(order, OrderEventTypes.OrderShipped));
        await DeliverAllAsync(new OrderEvent(Order.RefundEventId(order.Id, refund.Id, OrderEventTypes.RefundRequested), OrderEventTypes.RefundRequested, _tenant.Id, order.Id, TestData.Now) { RefundId = refund.Id });

        Assert.Equal(2, _receiver.Received.Count);
        var shippedData = JsonDocument.Parse(_receiver.Received[0].Body).RootElement.GetProperty("data");
        Assert.False(shippedData.TryGetProperty("refund", out _));
        var refundData = JsonDocument.Parse(_receiver.Received[1].Body).RootElement.GetProperty("data").GetProperty("refund");
        Assert.Equal("rfd-webhook", refundData.GetProperty("id").GetString());
        Assert.Equal("requested", refundData.GetProperty("status").GetString());
        Assert.Equal(12.50m, refundData.GetProperty("amount").GetDecimal());
        Assert.Equal(shipped.Currency, refundData.GetProperty("currency").GetString());
        Assert.DoesNotContain("damaged", _receiver.Received[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_verifier_refuses_a_delivery_signed_with_another_secret_or_with_a_changed_body()
    {
        var (_, secret) = await RegisterAsync(_receiver.Url.ToString(), "OrderShipped");
        var (_, otherSecret) = await RegisterAsync(_receiver.Url.ToString(), "OrderPlaced");
        var order = await StoreOrderAsync();

        await DeliverAllAsync(Event(order, OrderEventTypes.OrderShipped));

        var received = Assert.Single(_receiver.Received);
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(otherSecret).Verify(received.Body, received.Headers));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(secret).Verify(received.Body.Replace("OrderShipped", "OrderCancelled", StringComparison.Ordinal), received.Headers));
    }

    [Fact]
    public async Task An_endpoint_that_only_asked_for_other_events_or_was_deleted_receives_nothing()
    {
        await RegisterAsync(_receiver.Url.ToString(), "OrderCancelled");
        var (deleted, _) = await RegisterAsync(_receiver.Url.ToString(), "OrderShipped");
        var order = await StoreOrderAsync();
        await DeliverAllAsync(Event(order, OrderEventTypes.OrderShipped), beforeAttempts: () => _api.SendAsync(
            "DELETE", $"/api/v1/admin/webhooks/{deleted}", (r, ct) => _api.Webhooks.Webhook(r, deleted, ct), _tenant.Admin));

        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task During_a_secret_rollover_both_the_old_and_the_new_secret_verify_each_delivery()
    {
        var (id, oldSecret) = await RegisterAsync(_receiver.Url.ToString(), "OrderShipped");
        var rotated = await _api.SendAsync("POST", $"/api/v1/admin/webhooks/{id}/rotate-secret", (r, ct) => _api.Webhooks.WebhookSecretRotation(r, id, ct), _tenant.Admin);
        var newSecret = rotated.Json.GetProperty("secret").GetString()!;
        var order = await StoreOrderAsync();

        await DeliverAllAsync(Event(order, OrderEventTypes.OrderShipped));

        var received = Assert.Single(_receiver.Received);
        var signatures = received.Headers[WebhookHeaders.Signature].ToString().Split(' ');
        Assert.NotEqual(oldSecret, newSecret);
        Assert.True(rotated.Json.TryGetProperty("previousSecretExpiresAt", out _));
        Assert.Equal(2, signatures.Length);
        // The newest signature first: the package's verifier (1.1.2) checks only the first of several signatures.
        new StandardWebhook(newSecret).Verify(received.Body, received.Headers);
        new StandardWebhook(newSecret).Verify(received.Body, WithSignature(received.Headers, signatures[0]));
        new StandardWebhook(oldSecret).Verify(received.Body, WithSignature(received.Headers, signatures[1]));
    }

    private static HeaderDictionary WithSignature(IHeaderDictionary headers, string signature) =>
        new(headers.ToDictionary(h => h.Key, h => h.Key.Equals(WebhookHeaders.Signature, StringComparison.OrdinalIgnoreCase) ? new StringValues(signature) : h.Value, StringComparer.OrdinalIgnoreCase));

    [Fact]
    public async Task A_failing_endpoint_is_retried_on_the_back_off_schedule_and_the_last_attempt_throws_so_Service_Bus_dead_letters_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _api = new ApiTestHost(cosmos, clock);
        _receiver.Status = 503;
        var (id, _) = await RegisterAsync(_receiver.Url.ToString(), "OrderShipped");
        var order = await StoreOrderAsync();
        await _api.Get<WebhookDeliveryFunction>().HandleAsync(Receive(OrderEventMessages.ToMessage(Event(order, OrderEventTypes.OrderShipped))), CancellationToken.None);

        var scheduled = new List<TimeSpan>();
        for (var number = 1; number < WebhookRetryPolicy.MaxAttempts; number++)
        {
            var attempt = _api.Bus.Sent[^1];
            await _api.Get<WebhookDeliveryFunction>().HandleAsync(Receive(attempt), CancellationToken.None);
            var next = _api.Bus.Sent[^1];
            Assert.Equal(number + 1, WebhookAttempts.Parse(Receive(next)).Number);
            scheduled.Add(next.ScheduledEnqueueTime - clock.GetUtcNow());
            clock.Advance(next.ScheduledEnqueueTime - clock.GetUtcNow());
        }

        var last = _api.Bus.Sent[^1];
        var failure = await Record.ExceptionAsync(() => _api.Get<WebhookDeliveryFunction>().HandleAsync(Receive(last), CancellationToken.None));
        var endpoint = await ReadAsync(id);

        Assert.IsType<WebhookDeliveryFailedException>(failure);
        Assert.Equal(Enumerable.Range(1, WebhookRetryPolicy.MaxAttempts - 1).Select(n => WebhookRetryPolicy.DelayAfter(n)!.Value), scheduled);
        Assert.Equal(WebhookRetryPolicy.MaxAttempts, _receiver.Received.Count);
        // Every attempt is the same message to the receiver: one webhook-id, one body.
        Assert.Single(_receiver.Received.Select(r => (r.Headers[WebhookHeaders.Id].ToString(), r.Body)).Distinct());
        Assert.Equal((WebhookRetryPolicy.MaxAttempts, true, "http 503"), (endpoint.ConsecutiveFailures, endpoint.Enabled, endpoint.LastFailure));
        // The dead-lettered attempt is replayable through the dead-letter routes: its copy is the same attempt.
        var replayed = ServiceBusDeadLetters.ReplayOf(ServiceBusModelFactory.ServiceBusReceivedMessage(
            last.Body, last.MessageId, subject: last.Subject, contentType: last.ContentType, properties: last.ApplicationProperties, sequenceNumber: 77));
        Assert.Equal(WebhookAttempts.Parse(Receive(last)), WebhookAttempts.Parse(Receive(replayed)));
        Assert.Contains(MessagingTopology.WebhooksSubscription, MessagingTopology.Subscriptions.Select(s => s.Name));
    }

    [Fact]
    public async Task Consecutive_failures_disable_the_endpoint_at_the_documented_count_and_an_admin_enables_it_again()
    {
        _receiver.Status = 500;
        var (id, _) = await RegisterAsync(_receiver.Url.ToString(), "OrderShipped");
        var order = await StoreOrderAsync();

        for (var i = 0; i < WebhookRetryPolicy.DisableAfterConsecutiveFailures + 1; i++)
        {
            var attempt = new WebhookAttempt(_tenant.Id, id, $"{order.Id}.OrderShipped", OrderEventTypes.OrderShipped, order.Id, Number: 1, """{"n":1}""");
            await _api.Get<WebhookDeliveryFunction>().HandleAsync(Receive(WebhookAttempts.ToMessage(attempt)), CancellationToken.None);
        }

        var disabled = await ReadAsync(id);
        var sentBeforeReenabling = _receiver.Received.Count;
        var enabled = await _api.SendAsync("POST", $"/api/v1/admin/webhooks/{id}/enable", (r, ct) => _api.Webhooks.WebhookEnabling(r, id, ct), _tenant.Admin);

        Assert.Equal(WebhookRetryPolicy.DisableAfterConsecutiveFailures, sentBeforeReenabling);
        Assert.False(disabled.Enabled);
        Assert.Equal(WebhookRetryPolicy.DisableAfterConsecutiveFailures, disabled.ConsecutiveFailures);
        Assert.NotNull(disabled.DisabledAt);
        Assert.Equal((200, true, 0), (enabled.StatusCode, enabled.Json.GetProperty("enabled").GetBoolean(), enabled.Json.GetProperty("consecutiveFailures").GetInt32()));
    }

    [Theory]
    [InlineData(307)]
    [InlineData(302)]
    public async Task A_redirect_is_not_followed_and_counts_as_a_failure(int status)
    {
        _receiver.Status = status;
        var (id, _) = await RegisterAsync(_receiver.Url.ToString(), "OrderShipped");
        var order = await StoreOrderAsync();

        await DeliverAllAsync(Event(order, OrderEventTypes.OrderShipped));

        Assert.Equal("/hooks/orders", Assert.Single(_receiver.Received).Headers["X-Path"].ToString());
        Assert.Equal($"http {status}", (await ReadAsync(id)).LastFailure);
    }

    [Fact]
    public async Task A_name_whose_DNS_answer_changes_to_a_private_address_after_registration_is_refused_at_delivery_before_any_connection()
    {
        _api.Resolver.Answer("rebind.hooks.test", "93.184.216.34");
        var (id, _) = await RegisterAsync("https://rebind.hooks.test/orders", "OrderShipped");
        _api.Resolver.Answer("rebind.hooks.test", "10.0.0.5");
        var order = await StoreOrderAsync();
        var lookups = _api.Resolver.Lookups;

        await DeliverAllAsync(Event(order, OrderEventTypes.OrderShipped));

        var endpoint = await ReadAsync(id);
        Assert.Equal(1, endpoint.ConsecutiveFailures);
        Assert.Equal("refused address: the host resolves to a private address", endpoint.LastFailure);
        // Checked by the connection callback, which resolved the name again at delivery.
        Assert.True(_api.Resolver.Lookups > lookups);
        // The retry is scheduled like any other failure.
        Assert.Equal(2, WebhookAttempts.Parse(Receive(_api.Bus.Sent[^1])).Number);
    }

    [Fact]
    public async Task Each_webhook_message_sends_the_expected_number_of_cosmos_requests()
    {
        var order = await StoreOrderAsync();
        var function = _api.Get<WebhookDeliveryFunction>();
        var shipped = Receive(OrderEventMessages.ToMessage(Event(order, OrderEventTypes.OrderShipped)));

        var withoutEndpoints = await CountAsync(() => function.HandleAsync(shipped, CancellationToken.None));
        var (id, _) = await RegisterAsync(_receiver.Url.ToString(), "OrderShipped");
        var fanOut = await CountAsync(() => function.HandleAsync(shipped, CancellationToken.None));
        var attempt = _api.Bus.Sent[^1];
        var delivered = await CountAsync(() => function.HandleAsync(Receive(attempt), CancellationToken.None));
        _receiver.Status = 500;
        var failed = await CountAsync(() => function.HandleAsync(Receive(attempt), CancellationToken.None));
        await _api.Get<IWebhookStore>().DeleteAsync(_tenant.Id, id, CancellationToken.None);
        var dropped = await CountAsync(() => function.HandleAsync(Receive(attempt), CancellationToken.None));

        // The scan of the tenant's endpoints; then the order read; an attempt reads the endpoint and records its outcome.
        Assert.Equal((1, 2, 2, 2, 1), (withoutEndpoints, fanOut, delivered, failed, dropped));
    }

    private async Task<int> CountAsync(Func<Task> step)
    {
        cosmos.Counter.Reset();
        await step();
        return cosmos.Counter.Requests.Count;
    }

    private async Task<(string Id, string Secret)> RegisterAsync(string url, params string[] eventTypes)
    {
        var body = JsonSerializer.Serialize(new { url, eventTypes });
        var created = await _api.SendAsync("POST", "/api/v1/admin/webhooks", _api.Webhooks.Webhooks, _tenant.Admin, body);
        Assert.True(created.StatusCode == 201, created.Body);
        return (created.Json.GetProperty("id").GetString()!, created.Json.GetProperty("secret").GetString()!);
    }

    private async Task<WebhookEndpoint> ReadAsync(string id) => (await _api.Get<IWebhookStore>().GetAsync(_tenant.Id, id, CancellationToken.None))!.Value;

    /// <summary>An order with a contact email and a payment waiting for the customer's action (its client secret stored).</summary>
    private async Task<Order> StoreOrderAsync()
    {
        var order = TestData.Order(_tenant.Id);
        var payment = OrderPayment.Created("stripe", "pi_3Nx", 2620, "EUR", TestData.Now).MoveTo(PaymentStatus.ActionRequired, TestData.Now, clientSecret: ClientSecret);
        order = order.WithPayment(payment, TestData.Now, "corr-1");
        await _api.Get<IOrderStore>().CreateAsync(order, CancellationToken.None);
        return order;
    }

    private OrderEvent Event(Order order, string type) => new(Order.EventId(order.Id, type), type, _tenant.Id, order.Id, TestData.Now);

    /// <summary>The event through the webhooks consumer, then each attempt it sent (the first attempts, no retries).</summary>
    private async Task DeliverAllAsync(OrderEvent orderEvent, Func<Task>? beforeAttempts = null)
    {
        var function = _api.Get<WebhookDeliveryFunction>();
        var before = _api.Bus.Sent.Count;
        await function.HandleAsync(Receive(OrderEventMessages.ToMessage(orderEvent)), CancellationToken.None);
        var attempts = _api.Bus.Sent.Skip(before).ToList();
        if (beforeAttempts is not null)
        {
            await beforeAttempts();
        }

        foreach (var attempt in attempts)
        {
            await function.HandleAsync(Receive(attempt), CancellationToken.None);
        }
    }

    private static ServiceBusReceivedMessage Receive(ServiceBusMessage message) => ServiceBusCapture.Receive(message);
}
