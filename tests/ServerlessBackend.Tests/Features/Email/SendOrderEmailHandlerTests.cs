using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Infrastructure;

namespace ServerlessBackend.Tests.Features.Email;

/// <summary>The email handler with the real SMTP sender (MailDev) and the real notification log (Cosmos-protocol server).</summary>
[Collection(DownstreamCollection.Name)]
public sealed class SendOrderEmailHandlerTests(CosmosServerFixture cosmos, SmtpServerFixture smtp)
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
        var order = await _app.PlacedAsync(("SKU-A", 2));
        var orderEvent = Downstream.Event(order, type);

        var first = await _app.Email.HandleAsync(orderEvent, CancellationToken.None);
        var second = await _app.Email.HandleAsync(orderEvent, CancellationToken.None);

        Assert.Equal(EmailOutcome.Sent, first);
        Assert.Equal(EmailOutcome.AlreadySent, second);
        var mail = Assert.Single(await MailsTo(order.ContactEmail, expected: 1));
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, subject, order.Id), mail.Subject);
        Assert.Equal("shop@example.test", Assert.Single(mail.From).Address);
        Assert.Contains("2 x Product SKU-A  5.00 EUR", mail.Text, StringComparison.Ordinal);
        Assert.Contains($"<strong>{order.Id}</strong>", mail.Html, StringComparison.Ordinal);
        Assert.True(await _app.NotificationLog.WasSentAsync(_app.Tenant, orderEvent.Id, CancellationToken.None));
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
    public async Task A_relay_failure_surfaces_records_nothing_and_the_redelivery_sends_once()
    {
        var order = await _app.PlacedAsync(("SKU-A", 1));
        var confirmed = Downstream.Event(order, OrderEventTypes.OrderConfirmed);
        var down = new SendOrderEmailHandler(
            _app.Orders, _app.NotificationLog,
            new SmtpEmailSender(Microsoft.Extensions.Options.Options.Create(new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = LocalServer.FreePort(), FromAddress = "shop@example.test" })),
            _app.EmailOptions, _app.Clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<SendOrderEmailHandler>.Instance);

        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => down.HandleAsync(confirmed, CancellationToken.None));
        Assert.False(await _app.NotificationLog.WasSentAsync(_app.Tenant, confirmed.Id, CancellationToken.None));
        Assert.Equal(EmailOutcome.Sent, await _app.Email.HandleAsync(confirmed, CancellationToken.None));

        Assert.Single(await MailsTo(order.ContactEmail, expected: 1));
    }

    [Fact]
    public async Task A_crash_after_the_send_but_before_the_log_write_sends_a_second_copy_with_the_same_message_id()
    {
        // The one window the notification log cannot close (send and record are two systems): documented, and
        // the copy carries the same Message-ID so mail systems can tell it is the same message.
        var order = await _app.PlacedAsync(("SKU-A", 1));
        var shipped = Downstream.Event(order, OrderEventTypes.OrderShipped);
        var crashingLog = new Mock<INotificationLog>();
        crashingLog.Setup(l => l.WasSentAsync(_app.Tenant, shipped.Id, It.IsAny<CancellationToken>())).ReturnsAsync(false);
        crashingLog.Setup(l => l.RecordSentAsync(It.IsAny<SentNotification>(), It.IsAny<CancellationToken>())).ThrowsAsync(new IOException("worker crashed"));
        var crashing = new SendOrderEmailHandler(
            _app.Orders, crashingLog.Object, new SmtpEmailSender(_app.EmailOptions), _app.EmailOptions, _app.Clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SendOrderEmailHandler>.Instance);

        await Assert.ThrowsAsync<IOException>(() => crashing.HandleAsync(shipped, CancellationToken.None));
        Assert.Equal(EmailOutcome.Sent, await _app.Email.HandleAsync(shipped, CancellationToken.None));
        Assert.Equal(EmailOutcome.AlreadySent, await _app.Email.HandleAsync(shipped, CancellationToken.None));

        var mails = await MailsTo(order.ContactEmail, expected: 2);
        Assert.Equal(2, mails.Count);
        Assert.Single(mails.Select(m => m.Headers!["message-id"].GetString()).Distinct());
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
        var other = new Downstream(cosmos, smtp);
        var theirs = await other.PlacedAsync(("SKU-A", 1));
        var forged = Downstream.Event(theirs, OrderEventTypes.OrderConfirmed) with { TenantId = _app.Tenant };

        await Assert.ThrowsAsync<PoisonMessageException>(() => _app.Email.HandleAsync(forged, CancellationToken.None));

        Assert.Empty(await MailsTo(theirs.ContactEmail, expected: 0));
        Assert.False(await _app.NotificationLog.WasSentAsync(_app.Tenant, forged.Id, CancellationToken.None));
    }

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
}
