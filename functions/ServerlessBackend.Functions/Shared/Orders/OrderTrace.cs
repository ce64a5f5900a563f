using System.Diagnostics;
using ServerlessBackend.Functions.Domain.Orders;

namespace ServerlessBackend.Functions.Shared.Orders;

/// <summary>
/// Records the current trace context in the order's pending events before they are written, so whoever publishes them
/// (right after the write, or the relay minutes later) sends them on in the trace of the request that caused them.
/// </summary>
public static class OrderTrace
{
    public static Order Stamp(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (Activity.Current is not { IdFormat: ActivityIdFormat.W3C } current || order.Outbox.All(e => e.TraceParent is not null))
        {
            return order;
        }

        return order with { Outbox = [.. order.Outbox.Select(e => e.TraceParent is null ? e with { TraceParent = current.Id } : e)] };
    }
}
