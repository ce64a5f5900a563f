using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Shared.Orders;

/// <summary>How a consumer reads the order an event is about: an event naming no order of its tenant, or a change the order never recorded, can never succeed.</summary>
public static class EventOrders
{
    /// <summary>The order the event names, tenant-scoped; throws <see cref="PoisonMessageException"/> when there is none.</summary>
    public static async Task<Versioned<Order>> GetForEventAsync(this IOrderStore orders, OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(orderEvent);
        return await orders.GetAsync(orderEvent.TenantId, orderEvent.OrderId, cancellationToken)
            ?? throw new PoisonMessageException(orderEvent.Id, $"order {orderEvent.OrderId} does not exist in tenant {orderEvent.TenantId}");
    }

    /// <summary>As <see cref="GetForEventAsync"/>, and the order's history must hold the change the event announces (a forged or corrupted event is poison).</summary>
    public static async Task<Versioned<Order>> GetRecordedForEventAsync(this IOrderStore orders, OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var order = await orders.GetForEventAsync(orderEvent, cancellationToken);
        return order.Value.HasRecorded(orderEvent)
            ? order
            : throw new PoisonMessageException(orderEvent.Id, $"order {order.Value.Id} is {order.Value.Status}, not {Announced(orderEvent.Type)}: it has not recorded {orderEvent.Type}");
    }

    /// <summary>What an event type says happened, in lower case ("shipped", "payment captured").</summary>
    private static string Announced(string eventType) =>
        (PaymentStateMachine.IsPaymentEvent(eventType) ? $"payment {PaymentStateMachine.StatusAnnouncedBy(eventType)}"
            : RefundStateMachine.IsRefundEvent(eventType) ? $"refund {RefundStateMachine.StatusAnnouncedBy(eventType)}"
            : OrderStateMachine.StatusAnnouncedBy(eventType).ToString()).ToLowerInvariant();
}
