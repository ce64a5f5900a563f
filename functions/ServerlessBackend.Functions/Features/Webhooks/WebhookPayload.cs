using System.Text.Json;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>
/// The body tenants receive, in the Standard Webhooks shape (type, timestamp, data). Ids and statuses only: never the
/// contact email, the lines' names, or anything of the payment but its status (no client secret, no provider ids).
/// </summary>
public sealed record WebhookPayload(string Type, DateTimeOffset Timestamp, WebhookOrderData Data)
{
    public static string Json(OrderEvent orderEvent, Order order)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        ArgumentNullException.ThrowIfNull(order);
        var payload = new WebhookPayload(
            orderEvent.Type,
            orderEvent.OccurredAt,
            new WebhookOrderData(orderEvent.Id, order.Id, order.Status, order.Payment?.Status, order.Total, order.Currency));
        return JsonSerializer.Serialize(payload, ApiJson.Options);
    }
}

/// <summary>The order as a webhook shows it: the event's id, the order's id, its status and payment status when the delivery was prepared, and its amount.</summary>
public sealed record WebhookOrderData(string EventId, string OrderId, OrderStatus Status, PaymentStatus? PaymentStatus, decimal Total, string Currency);
