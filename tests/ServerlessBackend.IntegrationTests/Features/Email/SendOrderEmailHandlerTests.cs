using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Functions.Features.Privacy;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Email;

/// <summary>
/// The email handler with the real SMTP sender (MailDev) and the real notification log (Cosmos-protocol server),
/// concurrent deliveries run for real.
/// </summary>
[Collection(DownstreamCollection.Name)]
public sealed class SendOrderEmailHandlerTests(CosmosServerFixture cosmos, SmtpServerFixture smtp) : IDisposable
{
    private readonly Downstream _app = new(cosmos, smtp);

    public static TheoryData<string, string> Subjects => new()
    {
        { OrderEventTypes.OrderConfirmed, "Your order {0} is confirmed" },
        { OrderEventTypes.OrderRejected, "We could not accept your order {0}" },
        { OrderEventTypes.OrderShipped, "Your order {0} has shipped" },
        { OrderEventTypes.OrderCancelled, "Your order {0} is cancelled" },
    };

    [Theory]
    [MemberData(nameof(Subjects))]
    public async Task Each_customer_event_sends_exactly_one_email_even_when_delivered_twice(string type, string subject)
    {
        var order = await _app.AdvancedAsync(await _app.PlacedAsync(("SKU-A", 2)), type);
        var orderEvent = Downstream.Event(order, type);

        var first = await _app.Email.HandleAsync(orderEvent, CancellationToken.None);
        var second = await _app.Email.HandleAsync(orderEvent, CancellationToken.None);

        Assert.Equal(EmailOutcome.Sent, first);
        Assert.Equal(EmailOutcome.AlreadySent, second);
        var mail = Assert.Single(await MailsTo(order.ContactEmail, expected: 1));
        Assert.Equal(string.Format(CultureInfo.InvariantCulture, subject, order.Id), mail.Subject);
        Assert.Equal("shop@example.test", Assert.Single(mail.From).Address);
        Assert.Contains("2 x Product SKU-A  5.00 EUR", mail.Text, StringComparison.Ordinal);
        Assert.Contains($"<strong>{order.Id}</strong>", mail.Html, StringComparison.Ordinal);
        Assert.Equal(NotificationState.Sent, (await RecordOf(orderEvent))!.Value.State);
    }

    [Fact]
    public async Task An_event_in_flight_for_an_erased_customer_sends_nothing()
    {
        var order = await _app.AdvancedAsync(await _app.PlacedAsync(("SKU-A", 1)), OrderEventTypes.OrderConfirmed);
        var orderEvent = Downstream.Event(order, OrderEventTypes.OrderConfirmed);
        var erasure = new PersonalDataHandler(new CosmosPersonalData(cosmos.Containers), _app.Orders, AuditTrails.Default(), _app.Clock);
        await erasure.EraseAsync(new Caller(_app.Tenant, "admin", null, IsAdmin: true), order.CustomerId, CancellationToken.None);

        var outcome = await _app.Email.HandleAsync(orderEvent, CancellationToken.None);

        Assert.Equal(EmailOutcome.CustomerErased, outcome);
        Assert.Empty(await MailsTo(order.ContactEmail, expected: 0));
        Assert.Null(await RecordOf(orderEvent));
    }

    [Fact]
    public async Task The_rejection_email_gives_the_recorded_reason_with_user_content_escaped()
    {
        var order = await _app.PlacedAsync(("SKU-<i>X</i>", 1));
        var pending = (await _app.Orders.GetAsync(_app.Tenant, order.Id, CancellationToken.None))!;
        await _app.Orders.ReplaceAsync(
            pending.Value.TransitionTo(OrderStatus.Rejected, TestData.Now, "Not enough stock for Product SKU-<i>X</i>.", null), pending.ETag, CancellationToken.None);

        await _app.Email.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderRejected), CancellationToken.None);

        var mail = Assert.Single(await MailsTo(order.ContactEmail, expected: 1));
        Assert.Contains("Reason: Not enough stock for Product SKU-<i>X</i>.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Reason: Not enough stock for Product SKU-&lt;i&gt;X&lt;/i&gt;.", mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<i>", mail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_event_send_exactly_one_email()
    {
        // A lost session lock or a dead-letter replay while the original still runs: deliveries of one event at once.
        var order = await _app.AdvancedAsync(await _app.PlacedAsync(("SKU-A", 1)), OrderEventTypes.OrderConfirmed);
        var confirmed = Downstream.Event(order, OrderEventTypes.OrderConfirmed);
        var handler = Handler();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => handler.HandleAsync(confirmed, CancellationToken.None))));

        Assert.Single(outcomes, o => o == EmailOutcome.Sent);
        Assert.All(outcomes, o => Assert.Contains(o, new[] { EmailOutcome.Sent, EmailOutcome.AlreadySent }));
        Assert.Single(await MailsTo(order.ContactEmail, expected: 1));
        Assert.Equal(NotificationState.Sent, (await RecordOf(confirmed))!.Value.State);
    }

    [Fact]
    public async Task A_delivery_that_meets_a_live_claim_waits_for_its_outcome_and_sends_nothing()
    {
        var order = await _app.AdvancedAsync(await _app.PlacedAsync(("SKU-A", 1)), OrderEventTypes.OrderShipped);
        var shipped = Downstream.Event(order, OrderEventTypes.OrderShipped);
        var now = DateTimeOffset.UtcNow;
        var claim = Claim(shipped, "the-other-delivery", leaseUntil: now.AddMinutes(2));
        var etag = (await _app.NotificationLog.TryCreateAsync(claim, CancellationToken.None))!;

        var delivery = Handler().HandleAsync(shipped, CancellationToken.None);
        await Task.Delay(300);
        Assert.False(delivery.IsCompleted, "a delivery must neither send nor give up while another holds a live claim");
        await _app.NotificationLog.TryReplaceAsync(claim with { State = NotificationState.Sent }, etag, CancellationToken.None);

        Assert.Equal(EmailOutcome.AlreadySent, await delivery);
        Assert.Empty(await MailsTo(order.ContactEmail, expected: 0));
    }

    [Fact]
    public async Task The_redelivery_after_a_crash_before_the_send_takes_the_claim_over_once_its_lease_has_run_out_and_sends_once()
    {
        var order = await _app.AdvancedAsync(await _app.PlacedAsync(("SKU-A", 1)), OrderEventTypes.OrderConfirmed);
        var confirmed = Downstream.Event(order, OrderEventTypes.OrderConfirmed);
        await _app.NotificationLog.TryCreateAsync(Claim(confirmed, "crashed-delivery", leaseUntil: DateTimeOffset.UtcNow.AddMilliseconds(500)), CancellationToken.None);

        Assert.Equal(EmailOutcome.Sent, await Handler().HandleAsync(confirmed, CancellationToken.None));

        Assert.Single(await MailsTo(order.ContactEmail, expected: 1));
        var record = (await RecordOf(confirmed))!.Value;
        Assert.Equal(NotificationState.Sent, record.State);
        Assert.NotEqual("crashed-delivery", record.DeliveryId);
    }

    [Fact]
    public async Task A_claim_whose_lease_lies_further_ahead_than_a_live_holder_could_have_set_it_is_taken_over_and_the_email_sent_once()
    {
        // A holder on a clock a day ahead (or a corrupt record): no delivery on a sane clock sets a lease that far, and
        // waiting for it would hold the email back until then.
        var order = await _app.AdvancedAsync(await _app.PlacedAsync(("SKU-A", 1)), OrderEventTypes.OrderConfirmed);
        var confirmed = Downstream.Event(order, OrderEventTypes.OrderConfirmed);
        await _app.NotificationLog.TryCreateAsync(Claim(confirmed, "clock-a-day-ahead", leaseUntil: DateTimeOffset.UtcNow.AddDays(1)), CancellationToken.None);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));

        Assert.Equal(EmailOutcome.Sent, await Handler().HandleAsync(confirmed, patience.Token));

        Assert.Single(await MailsTo(order.ContactEmail, expected: 1));
        Assert.NotEqual("clock-a-day-ahead", (await RecordOf(confirmed))!.Value.DeliveryId);
    }

    [Fact]
    public async Task Concurrent_redeliveries_take_an_expired_claim_over_exactly_once()
    {
        var order = await _app.AdvancedAsync(await _app.PlacedAsync(("SKU-A", 1)), OrderEventTypes.OrderCancelled);
        var cancelled = Downstream.Event(order, OrderEventTypes.OrderCancelled);
        await _app.NotificationLog.TryCreateAsync(Claim(cancelled, "crashed-delivery", leaseUntil: DateTimeOffset.UtcNow.AddMinutes(-1)), CancellationToken.None);
        var handler = Handler();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => handler.HandleAsync(cancelled, CancellationToken.None))));

        Assert.Single(outcomes, o => o == EmailOutcome.Sent);
        Assert.Single(await MailsTo(order.ContactEmail, expected: 1));
    }

    [Fact]
    public async Task A_relay_failure_surfaces_gives_the_claim_back_and_the_redelivery_sends_once()
    {
        var order = await _app.AdvancedAsync(await _app.PlacedAsync(("SKU-A", 1)), OrderEventTypes.OrderConfirmed);
        var confirmed = Downstream.Event(order, OrderEventTypes.OrderConfirmed);
        var down = Handler(sender: new SmtpEmailSender(Microsoft.Extensions.Options.Options.Create(
            new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = LocalServer.FreePort(), FromAddress = "shop@example.test" })));

        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => down.HandleAsync(confirmed, CancellationToken.None));
        Assert.Null(await RecordOf(confirmed));
        Assert.Equal(EmailOutcome.Sent, await _app.Email.HandleAsync(confirmed, CancellationToken.None));

        Assert.Single(await MailsTo(order.ContactEmail, expected: 1));
    }

    [Fact]
    public async Task A_crash_after_the_relay_accepted_and_before_the_record_sends_one_copy_with_the_same_message_id_once_the_lease_runs_out()
    {
        // The one window left (the relay and the log are two systems): documented in the README.
        var order = await _app.AdvancedAsync(await _app.PlacedAsync(("SKU-A", 1)), OrderEventTypes.OrderShipped);
        var shipped = Downstream.Event(order, OrderEventTypes.OrderShipped);
        var crashing = new SendOrderEmailHandler(
            _app.Orders, new CrashBeforeRecordingSent(_app.NotificationLog), new SmtpEmailSender(_app.EmailOptions), _app.EmailOptions, TimeProvider.System,
            _app.Metrics.App, NullLogger<SendOrderEmailHandler>.Instance) { LeaseDuration = TimeSpan.FromMilliseconds(500), PollInterval = TimeSpan.FromMilliseconds(50) };

        await Assert.ThrowsAsync<IOException>(() => crashing.HandleAsync(shipped, CancellationToken.None));
        Assert.Equal(EmailOutcome.Sent, await Handler().HandleAsync(shipped, CancellationToken.None));
        Assert.Equal(EmailOutcome.AlreadySent, await Handler().HandleAsync(shipped, CancellationToken.None));

        var mails = await MailsTo(order.ContactEmail, expected: 2);
        Assert.Equal(2, mails.Count);
        Assert.Single(mails.Select(m => m.Headers!["message-id"].GetString()).Distinct());
    }

    public static TheoryData<string, string?> NotReached => new()
    {
        { OrderEventTypes.OrderConfirmed, null },
        { OrderEventTypes.OrderRejected, null },
        { OrderEventTypes.OrderShipped, null },
        { OrderEventTypes.OrderCancelled, null },
        { OrderEventTypes.OrderShipped, OrderEventTypes.OrderConfirmed },
        { OrderEventTypes.OrderRejected, OrderEventTypes.OrderConfirmed },
        { OrderEventTypes.OrderConfirmed, OrderEventTypes.OrderRejected },
        { OrderEventTypes.OrderShipped, OrderEventTypes.OrderCancelled },
    };

    [Theory]
    [MemberData(nameof(NotReached))]
    public async Task An_event_the_orders_history_does_not_hold_is_a_poison_message_and_sends_nothing(string type, string? reached)
    {
        var order = await _app.PlacedAsync(("SKU-A", 1));
        if (reached is not null)
        {
            order = await _app.AdvancedAsync(order, reached);
        }

        var orderEvent = Downstream.Event(order, type);

        var error = await Assert.ThrowsAsync<PoisonMessageException>(() => _app.Email.HandleAsync(orderEvent, CancellationToken.None));

        Assert.Contains($"is {order.Status}", error.Message, StringComparison.Ordinal);
        Assert.Empty(await MailsTo(order.ContactEmail, expected: 0));
        Assert.Null(await RecordOf(orderEvent));
    }

    [Fact]
    public async Task A_recipient_the_relay_refuses_for_good_is_a_recorded_outcome_that_is_not_retried_nor_logged_with_the_address()
    {
        var order = await _app.AdvancedAsync(await _app.PlacedAsync("\"quoted local\"@example.test", ("SKU-A", 1)), OrderEventTypes.OrderConfirmed);
        var confirmed = Downstream.Event(order, OrderEventTypes.OrderConfirmed);
        var logs = new FakeLogger<SendOrderEmailHandler>();
        var handler = Handler(logger: logs);

        Assert.Equal(EmailOutcome.RecipientRejected, await handler.HandleAsync(confirmed, CancellationToken.None));
        Assert.Equal(EmailOutcome.RecipientRejected, await handler.HandleAsync(confirmed, CancellationToken.None));

        var record = (await RecordOf(confirmed))!.Value;
        Assert.Equal((NotificationState.RejectedByRelay, 501, null), (record.State, record.SmtpStatus, record.SmtpEnhancedStatus));
        Assert.Empty(await MailsTo(order.ContactEmail, expected: 0));
        var warning = Assert.Single(logs.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        Assert.Contains("SMTP 501", warning.Message, StringComparison.Ordinal);
        Assert.All(logs.Collector.GetSnapshot(), r => Assert.DoesNotContain("quoted", r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_relay_refusing_for_itself_at_RCPT_TO_fails_the_delivery_records_nothing_counts_it_and_the_redelivery_sends_once_the_relay_is_fixed()
    {
        // 550 5.7.1 at RCPT TO is the relay's policy (this app may not relay), not the recipient's answer: taken for the
        // recipient's, every email of a misconfigured relay would be recorded as refused and never retried.
        var order = await _app.AdvancedAsync(await _app.PlacedAsync(("SKU-A", 1)), OrderEventTypes.OrderConfirmed);
        var confirmed = Downstream.Event(order, OrderEventTypes.OrderConfirmed);
        using var relay = new ScriptedSmtpServer(new Dictionary<string, string> { ["RCPT"] = "550 5.7.1 Unable to relay" });
        var refusing = Handler(sender: new SmtpEmailSender(Microsoft.Extensions.Options.Options.Create(
            new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = relay.Port, FromAddress = "shop@example.test" })));

        // Through the function, as the host runs it: the failure reaches the host, which abandons the message (retried, then dead-lettered).
        var message = ServiceBusCapture.Receive(OrderEventMessages.ToMessage(confirmed));
        var error = await Assert.ThrowsAsync<RelayRefusedException>(() => new EmailFunction(refusing, _app.Delivery).Run(message, CancellationToken.None));

        Assert.Equal((550, "5.7.1", false), (error.SmtpStatus, error.EnhancedStatus, error.Transient));
        Assert.Null(await RecordOf(confirmed));
        Assert.Equal(["relayRefused"], _app.Metrics.Of("emails.sends").Select(m => m.Tags["outcome"]));
        Assert.Equal(EmailOutcome.Sent, await Handler().HandleAsync(confirmed, CancellationToken.None));
        Assert.Single(await MailsTo(order.ContactEmail, expected: 1));
    }

    [Fact]
    public async Task Order_placed_sends_nothing_and_reads_nothing()
    {
        var order = await _app.PlacedAsync(("SKU-A", 1));
        cosmos.Counter.Reset();

        Assert.Equal(EmailOutcome.NoEmailForEvent, await _app.Email.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None));

        Assert.Empty(cosmos.Counter.Requests);
        Assert.Empty(await MailsTo(order.ContactEmail, expected: 0));
    }

    [Fact]
    public async Task An_event_naming_another_tenants_order_is_a_poison_message_and_sends_nothing()
    {
        using var other = new Downstream(cosmos, smtp);
        var theirs = await other.AdvancedAsync(await other.PlacedAsync(("SKU-A", 1)), OrderEventTypes.OrderConfirmed);
        var forged = Downstream.Event(theirs, OrderEventTypes.OrderConfirmed) with { TenantId = _app.Tenant };

        await Assert.ThrowsAsync<PoisonMessageException>(() => _app.Email.HandleAsync(forged, CancellationToken.None));

        Assert.Empty(await MailsTo(theirs.ContactEmail, expected: 0));
        Assert.Null(await RecordOf(forged));
    }

    [Fact]
    public async Task Each_send_to_the_relay_counts_once_with_its_outcome_and_a_delivery_that_finds_the_email_done_counts_nothing()
    {
        var confirmed = Downstream.Event(await _app.AdvancedAsync(await _app.PlacedAsync(("SKU-A", 1)), OrderEventTypes.OrderConfirmed), OrderEventTypes.OrderConfirmed);
        var refused = Downstream.Event(
            await _app.AdvancedAsync(await _app.PlacedAsync("\"quoted local\"@example.test", ("SKU-A", 1)), OrderEventTypes.OrderConfirmed), OrderEventTypes.OrderConfirmed);
        var down = Handler(sender: new SmtpEmailSender(Microsoft.Extensions.Options.Options.Create(
            new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = LocalServer.FreePort(), FromAddress = "shop@example.test" })));

        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => down.HandleAsync(confirmed, CancellationToken.None));
        Assert.Equal(EmailOutcome.Sent, await Handler().HandleAsync(confirmed, CancellationToken.None));
        Assert.Equal(EmailOutcome.AlreadySent, await Handler().HandleAsync(confirmed, CancellationToken.None));
        Assert.Equal(EmailOutcome.RecipientRejected, await Handler().HandleAsync(refused, CancellationToken.None));
        Assert.Equal(EmailOutcome.RecipientRejected, await Handler().HandleAsync(refused, CancellationToken.None));

        var sends = _app.Metrics.Of("emails.sends");
        Assert.Equal(["failed", "sent", "recipientRefused"], sends.Select(m => m.Tags["outcome"]));
        Assert.All(sends, m => Assert.Equal((1d, _app.Tenant), (m.Value, m.Tags["tenant.id"])));
    }

    public void Dispose() => _app.Dispose();

    /// <summary>A handler on the real clock (deliveries that wait for a claim wait for real), polling every 50 ms.</summary>
    private SendOrderEmailHandler Handler(INotificationLog? log = null, IEmailSender? sender = null, ILogger<SendOrderEmailHandler>? logger = null) =>
        new(_app.Orders, log ?? _app.NotificationLog, sender ?? new SmtpEmailSender(_app.EmailOptions), _app.EmailOptions, TimeProvider.System,
            _app.Metrics.App, logger ?? NullLogger<SendOrderEmailHandler>.Instance) { PollInterval = TimeSpan.FromMilliseconds(50) };

    private Notification Claim(OrderEvent orderEvent, string deliveryId, DateTimeOffset leaseUntil) =>
        new(orderEvent.Id, _app.Tenant, orderEvent.OrderId, orderEvent.Type, NotificationState.Sending, deliveryId, leaseUntil, DateTimeOffset.UtcNow);

    private Task<Versioned<Notification>?> RecordOf(OrderEvent orderEvent) => _app.NotificationLog.ReadAsync(_app.Tenant, orderEvent.Id, CancellationToken.None);

    /// <summary>Mails to one address (each test's orders have their own), after waiting for the expected count to arrive.</summary>
    private async Task<List<ReceivedMail>> MailsTo(string address, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var mails = (await smtp.GetMessagesAsync()).Where(m => m.To.Any(t => t.Address == address)).ToList();
            if (mails.Count >= expected && (expected > 0 || DateTime.UtcNow > deadline.AddSeconds(-9)) || DateTime.UtcNow > deadline)
            {
                // Give a duplicate a moment to show up before counting.
                await Task.Delay(200);
                return (await smtp.GetMessagesAsync()).Where(m => m.To.Any(t => t.Address == address)).ToList();
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The real log, but the worker "crashes" right when it would record that the relay accepted the mail.</summary>
    private sealed class CrashBeforeRecordingSent(INotificationLog inner) : INotificationLog
    {
        public Task<Versioned<Notification>?> ReadAsync(string tenantId, string eventId, CancellationToken cancellationToken) => inner.ReadAsync(tenantId, eventId, cancellationToken);

        public Task<string?> TryCreateAsync(Notification notification, CancellationToken cancellationToken) => inner.TryCreateAsync(notification, cancellationToken);

        public Task<string?> TryReplaceAsync(Notification notification, string etag, CancellationToken cancellationToken) =>
            notification.State == NotificationState.Sent ? throw new IOException("worker crashed") : inner.TryReplaceAsync(notification, etag, cancellationToken);

        public Task TryDeleteAsync(string tenantId, string eventId, string etag, CancellationToken cancellationToken) => inner.TryDeleteAsync(tenantId, eventId, etag, cancellationToken);
    }
}
