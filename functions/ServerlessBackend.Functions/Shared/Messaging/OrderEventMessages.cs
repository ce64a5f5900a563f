using System.Text.Json;
using Azure.Messaging.ServiceBus;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Json;
using ServerlessBackend.Functions.Platform.Telemetry;

namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>
/// The wire format of an <see cref="OrderEvent"/> on the orders topic, both ways: the publisher's
/// <see cref="ToMessage"/> and the consumers' <see cref="Parse"/>.
/// </summary>
public static class OrderEventMessages
{
    public const string JsonContentType = "application/json";
    public const string TenantIdProperty = "tenantId";
    public const string TraceParentProperty = "traceparent";

    /// <summary>A replayed dead letter's MessageId is the event id, this, and its original sequence number.</summary>
    public const string ReplaySuffix = ":replay:";

    private static readonly HashSet<string> KnownTypes = [.. OrderEventTypes.All];

    /// <summary>
    /// MessageId = event id (duplicate detection drops a re-publish), Subject = type (subscription
    /// filters), SessionId = order id (per-order ordering on session subscriptions).
    /// </summary>
    public static ServiceBusMessage ToMessage(OrderEvent orderEvent)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        var message = new ServiceBusMessage(BinaryData.FromObjectAsJson(orderEvent, ApiJson.Options))
        {
            MessageId = orderEvent.Id,
            Subject = orderEvent.Type,
            SessionId = orderEvent.OrderId,
            CorrelationId = orderEvent.CorrelationId ?? orderEvent.OrderId,
            ContentType = JsonContentType,
        };
        message.ApplicationProperties[TenantIdProperty] = orderEvent.TenantId;

        // The consumers continue the trace recorded with the write (the request that caused the event), also when
        // the relay publishes it later; the publishing span is the parent when it belongs to that trace.
        var traceParent = TraceContinuation.ForMessage(orderEvent.TraceParent);
        if (traceParent is not null)
        {
            message.ApplicationProperties[TraceParentProperty] = traceParent;
        }

        return message;
    }

    /// <summary>Reads and validates a received event; a message that can never be processed throws <see cref="PoisonMessageException"/>.</summary>
    public static OrderEvent Parse(ServiceBusReceivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!string.Equals(message.ContentType, JsonContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw new PoisonMessageException(message.MessageId, $"content type '{message.ContentType}' is not {JsonContentType}");
        }

        OrderEvent? orderEvent;
        try
        {
            orderEvent = message.Body.ToObjectFromJson<OrderEvent>(ApiJson.Options);
        }
        catch (JsonException ex)
        {
            throw new PoisonMessageException(message.MessageId, $"body is not an order event: {ex.Message}", ex);
        }

        if (orderEvent is null
            || string.IsNullOrWhiteSpace(orderEvent.Id)
            || string.IsNullOrWhiteSpace(orderEvent.TenantId)
            || string.IsNullOrWhiteSpace(orderEvent.OrderId)
            || string.IsNullOrWhiteSpace(orderEvent.Type))
        {
            throw new PoisonMessageException(message.MessageId, "id, type, tenantId and orderId are required");
        }

        if (!KnownTypes.Contains(orderEvent.Type))
        {
            throw new PoisonMessageException(message.MessageId, $"unknown event type '{orderEvent.Type}'");
        }

        // The event id names its order, type and refund (a refund event's); one that does not (forged or corrupted)
        // would make the consumers record a different event than the one they handle.
        if (RefundStateMachine.IsRefundEvent(orderEvent.Type) ? !Order.IsWellFormedRefundId(orderEvent.RefundId) : orderEvent.RefundId is not null)
        {
            throw new PoisonMessageException(message.MessageId, $"a {orderEvent.Type} names no refund, or names one where no refund belongs");
        }

        if (orderEvent.Id != Order.EventId(orderEvent))
        {
            throw new PoisonMessageException(message.MessageId, $"event id '{orderEvent.Id}' is not the id of a {orderEvent.Type} of order {orderEvent.OrderId}");
        }

        var isEventsMessage = message.MessageId == orderEvent.Id || message.MessageId?.StartsWith(orderEvent.Id + ReplaySuffix, StringComparison.Ordinal) == true;
        if (!isEventsMessage || orderEvent.Type != message.Subject
            || !message.ApplicationProperties.TryGetValue(TenantIdProperty, out var tenant) || tenant as string != orderEvent.TenantId)
        {
            throw new PoisonMessageException(message.MessageId, "message properties (MessageId, Subject, tenantId) disagree with the body");
        }

        return orderEvent;
    }
}
