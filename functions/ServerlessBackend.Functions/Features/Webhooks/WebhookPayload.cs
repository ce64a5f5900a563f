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
            new WebhookOrderData(orderEvent.Id, order.Id, order.Status, order.Payment?.Status, order.Total, order.Currency)
            {
                Refund = orderEvent.RefundId is { } refundId && order.Refund(refundId) is { } refund
                    ? new WebhookRefundData(refund.Id, refund.Status, MinorUnits.ToAmount(refund.AmountMinor, refund.Currency), refund.Currency)
                    : null,
            });
        return JsonSerializer.Serialize(payload, ApiJson.Options);
    }
}

/// <summary>The order as a webhook shows it: the event's id, the order's id, its status and payment status when the delivery was prepared, and its amount.</summary>
public sealed record WebhookOrderData(string EventId, string OrderId, OrderStatus Status, PaymentStatus? PaymentStatus, decimal Total, string Currency)
{
    /// <summary>The refund a refund event is about, as it stood when the delivery was prepared; absent on other events.</summary>
    public WebhookRefundData? Refund { get; init; }
}

/// <summary>A refund as a webhook shows it: its id, status and amount (no reason, lines or provider ids).</summary>
public sealed record WebhookRefundData(string Id, RefundStatus Status, decimal Amount, string Currency);
