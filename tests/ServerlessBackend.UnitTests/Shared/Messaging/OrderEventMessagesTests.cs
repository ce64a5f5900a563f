using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.UnitTests.Shared.Messaging;

public sealed class OrderEventMessagesTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static readonly OrderEvent Confirmed = new(
        "o-1.OrderConfirmed", OrderEventTypes.OrderConfirmed, "tenant-a", "o-1",
        new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero), "corr-9", TraceParent);

    [Fact]
    public void Message_carries_id_subject_session_correlation_content_type_tenant_and_traceparent()
    {
        var message = OrderEventMessages.ToMessage(Confirmed);

        Assert.Equal("o-1.OrderConfirmed", message.MessageId);
        Assert.Equal("OrderConfirmed", message.Subject);
        Assert.Equal("o-1", message.SessionId);
        Assert.Equal("corr-9", message.CorrelationId);
        Assert.Equal("application/json", message.ContentType);
        Assert.Equal("tenant-a", message.ApplicationProperties["tenantId"]);
        Assert.Equal(TraceParent, message.ApplicationProperties["traceparent"]);
        Assert.Equal(
            """{"id":"o-1.OrderConfirmed","type":"OrderConfirmed","tenantId":"tenant-a","orderId":"o-1","occurredAt":"2026-11-28T10:00:00+00:00","correlationId":"corr-9","traceParent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}""",
            message.Body.ToString());
    }

    [Fact]
    public void Without_a_recorded_trace_the_current_activity_is_the_parent_and_the_order_id_correlates()
    {
        using var activity = new Activity("publish").SetIdFormat(ActivityIdFormat.W3C).Start();

        var message = OrderEventMessages.ToMessage(Confirmed with { TraceParent = null, CorrelationId = null });

        Assert.Equal(activity.Id, message.ApplicationProperties["traceparent"]);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", (string)message.ApplicationProperties["traceparent"]);
        Assert.Equal("o-1", message.CorrelationId);
    }

    [Fact]
    public void A_published_message_parses_back_to_the_same_event()
    {
        var received = Receive(OrderEventMessages.ToMessage(Confirmed));

        Assert.Equal(Confirmed, OrderEventMessages.Parse(received));
    }

    public static TheoryData<string, string, string?, string> PoisonMessages => new()
    {
        { "not json", "application/json", "OrderConfirmed", "body is not an order event" },
        { """{"id":"o-1.OrderConfirmed","type":"OrderConfirmed","tenantId":"tenant-a","orderId":"o-1","occurredAt":"2026-11-28T10:00:00+00:00"}""", "text/plain", "OrderConfirmed", "content type" },
        { """{"id":"o-1.OrderConfirmed","type":"OrderConfirmed","tenantId":"tenant-a","occurredAt":"2026-11-28T10:00:00+00:00"}""", "application/json", "OrderConfirmed", "required" },
        { """{"id":"o-1.OrderConfirmed","type":"OrderExploded","tenantId":"tenant-a","orderId":"o-1","occurredAt":"2026-11-28T10:00:00+00:00"}""", "application/json", "OrderExploded", "unknown event type 'OrderExploded'" },
        { """{"id":"o-1.OrderConfirmed","type":"OrderConfirmed","tenantId":"tenant-a","orderId":"o-1","occurredAt":"2026-11-28T10:00:00+00:00"}""", "application/json", "OrderShipped", "disagree" },
    };

    [Theory]
    [MemberData(nameof(PoisonMessages))]
    public void A_message_that_can_never_be_processed_is_a_poison_message_with_its_reason(string body, string contentType, string? subject, string reason)
    {
        var received = ServiceBusModelFactory.ServiceBusReceivedMessage(
            BinaryData.FromString(body), messageId: "o-1.OrderConfirmed", subject: subject, contentType: contentType,
            properties: new Dictionary<string, object> { ["tenantId"] = "tenant-a" });

        var ex = Assert.Throws<PoisonMessageException>(() => OrderEventMessages.Parse(received));

        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tenant_property_that_disagrees_with_the_body_is_poison()
    {
        var message = OrderEventMessages.ToMessage(Confirmed);
        message.ApplicationProperties["tenantId"] = "tenant-b";

        Assert.Throws<PoisonMessageException>(() => OrderEventMessages.Parse(Receive(message)));
    }

    [Theory]
    [InlineData("o-2.OrderConfirmed", "o-2.OrderConfirmed")]
    [InlineData("o-1.OrderShipped", "o-1.OrderShipped")]
    [InlineData("o-1.OrderConfirmed.x", "o-1.OrderConfirmed.x")]
    [InlineData("o-2.OrderConfirmed", "o-2.OrderConfirmed:replay:42")]
    public void An_event_id_that_is_not_the_order_id_and_type_it_names_is_poison(string eventId, string messageId)
    {
        var message = OrderEventMessages.ToMessage(Confirmed with { Id = eventId });
        message.MessageId = messageId;

        var ex = Assert.Throws<PoisonMessageException>(() => OrderEventMessages.Parse(Receive(message)));

        Assert.Contains("event id", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replayed_message_with_the_event_id_of_its_order_and_type_parses()
    {
        var message = OrderEventMessages.ToMessage(Confirmed);
        message.MessageId = "o-1.OrderConfirmed:replay:42";

        Assert.Equal(Confirmed, OrderEventMessages.Parse(Receive(message)));
    }

    [Fact]
    public void A_refund_event_round_trips_with_its_refund_and_one_that_names_none_or_another_is_poison()
    {
        var refunded = new OrderEvent("o-1.rfd-0123456789abcdef01234567.RefundSucceeded", "RefundSucceeded", "tenant-a", "o-1", Confirmed.OccurredAt) { RefundId = "rfd-0123456789abcdef01234567" };

        Assert.Equal(refunded, OrderEventMessages.Parse(Receive(OrderEventMessages.ToMessage(refunded))));
        var none = Assert.Throws<PoisonMessageException>(() => OrderEventMessages.Parse(Receive(OrderEventMessages.ToMessage(refunded with { RefundId = null }))));
        Assert.Contains("names no refund", none.Reason, StringComparison.Ordinal);
        var other = Assert.Throws<PoisonMessageException>(() => OrderEventMessages.Parse(Receive(OrderEventMessages.ToMessage(refunded with { RefundId = "rfd-ffffffffffffffffffffffff" }))));
        Assert.Contains("event id", other.Reason, StringComparison.Ordinal);
        var misplaced = Assert.Throws<PoisonMessageException>(() => OrderEventMessages.Parse(Receive(OrderEventMessages.ToMessage(Confirmed with { RefundId = "rfd-0123456789abcdef01234567" }))));
        Assert.Contains("where no refund belongs", misplaced.Reason, StringComparison.Ordinal);
    }

    /// <summary>What a consumer receives for a sent message.</summary>
    internal static ServiceBusReceivedMessage Receive(ServiceBusMessage sent, int deliveryCount = 1) =>
        ServiceBusModelFactory.ServiceBusReceivedMessage(
            sent.Body, sent.MessageId, sessionId: sent.SessionId, correlationId: sent.CorrelationId, subject: sent.Subject,
            contentType: sent.ContentType, properties: sent.ApplicationProperties, deliveryCount: deliveryCount);
}
