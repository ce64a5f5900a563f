
namespace ServerlessBackend.Functions.Domain.Orders;

/// <summary>An order's refunds: records on the order, each change written with the event it announces (see <see cref="RefundStateMachine"/>).</summary>
public sealed partial record Order
{
    public IReadOnlyList<OrderRefund> Refunds { get; init; } = [];

    /// <summary>Minor units refunded or being refunded: every refund that has not failed.</summary>
    public long RefundedMinor => Refunds.Where(r => r.Counts).Sum(r => r.AmountMinor);

    public OrderRefund? Refund(string refundId) => Refunds.FirstOrDefault(r => r.Id == refundId);

    /// <summary>A new refund (status Requested) with its RefundRequested event; throws when the id is taken.</summary>
    public Order WithNewRefund(OrderRefund refund, DateTimeOffset now, string? correlationId)
    {
        ArgumentNullException.ThrowIfNull(refund);
        if (Refund(refund.Id) is not null || refund.Status != RefundStatus.Requested)
        {
            throw new ArgumentException($"Refund {refund.Id} exists already or is not new.", nameof(refund));
        }

        return WithRefundEvent(this with { Refunds = [.. Refunds, refund], UpdatedAt = now }, refund, now, correlationId);
    }

    /// <summary>This order with <paramref name="refund"/> (an existing one, moved on) replacing its record, recording the event its status announces once.</summary>
    public Order WithRefund(OrderRefund refund, DateTimeOffset now, string? correlationId)
    {
        ArgumentNullException.ThrowIfNull(refund);
        var index = Refunds.ToList().FindIndex(r => r.Id == refund.Id);
        if (index < 0)
        {
            throw new ArgumentException($"Order {Id} has no refund {refund.Id}.", nameof(refund));
        }

        var refunds = Refunds.ToList();
        var before = refunds[index];
        refunds[index] = refund;
        var changed = this with { Refunds = refunds, UpdatedAt = now };
        return before.Status == refund.Status ? changed : WithRefundEvent(changed, refund, now, correlationId);
    }

    /// <summary>The event id of a refund's event: each refund reaches each status once, so it is stable per refund and type.</summary>
    public static string RefundEventId(string orderId, string refundId, string eventType) => $"{orderId}.{refundId}.{eventType}";

    /// <summary>Whether <paramref name="refundId"/> can be a refund id at all.</summary>
    public static bool IsWellFormedRefundId(string? refundId) => IsWellFormedId(refundId) && refundId!.StartsWith("rfd-", StringComparison.Ordinal);

    private static Order WithRefundEvent(Order order, OrderRefund refund, DateTimeOffset now, string? correlationId)
    {
        if (RefundStateMachine.EventTypeFor(refund.Status) is not { } type)
        {
            return order;
        }

        var id = RefundEventId(order.Id, refund.Id, type);
        return order.Outbox.Any(e => e.Id == id)
            ? order
            : order with
            {
                Outbox = [.. order.Outbox, new OrderEvent(id, type, order.TenantId, order.Id, now, correlationId) { RefundId = refund.Id }],
                OutboxPendingSince = order.OutboxPendingSince ?? now,
            };
    }
}
