namespace ServerlessBackend.Functions.Domain.Orders;

/// <summary>
/// The allowed order status transitions and the event each one records. The graph has no cycles,
/// so an order reaches each status at most once; that makes "{orderId}.{eventType}" a stable event id.
/// Pending is decided by fulfillment (stock), AwaitingPayment by the payment step.
/// </summary>
public static class OrderStateMachine
{
    private static readonly Dictionary<(OrderStatus From, OrderStatus To), string> Transitions = new()
    {
        [(OrderStatus.Pending, OrderStatus.AwaitingPayment)] = OrderEventTypes.OrderReserved,
        [(OrderStatus.Pending, OrderStatus.Rejected)] = OrderEventTypes.OrderRejected,
        [(OrderStatus.Pending, OrderStatus.Cancelled)] = OrderEventTypes.OrderCancelled,
        [(OrderStatus.AwaitingPayment, OrderStatus.Confirmed)] = OrderEventTypes.OrderConfirmed,
        [(OrderStatus.AwaitingPayment, OrderStatus.Rejected)] = OrderEventTypes.OrderRejected,
        [(OrderStatus.AwaitingPayment, OrderStatus.Cancelled)] = OrderEventTypes.OrderCancelled,
        [(OrderStatus.Confirmed, OrderStatus.Shipped)] = OrderEventTypes.OrderShipped,
        [(OrderStatus.Confirmed, OrderStatus.Cancelled)] = OrderEventTypes.OrderCancelled,
    };

    public static bool CanTransition(OrderStatus from, OrderStatus to) => Transitions.ContainsKey((from, to));

    /// <summary>The event type a transition records; throws for a forbidden transition.</summary>
    public static string EventTypeFor(OrderStatus from, OrderStatus to) =>
        Transitions.TryGetValue((from, to), out var type) ? type : throw new InvalidOrderTransitionException(from, to);

    public static IEnumerable<OrderStatus> AllowedFrom(OrderStatus from) =>
        Transitions.Keys.Where(t => t.From == from).Select(t => t.To);

    /// <summary>The status an event type announces: OrderPlaced is Pending, every other the target of its transitions.</summary>
    public static OrderStatus StatusAnnouncedBy(string eventType) =>
        eventType == OrderEventTypes.OrderPlaced
            ? OrderStatus.Pending
            : Transitions.Where(t => t.Value == eventType).Select(t => (OrderStatus?)t.Key.To).FirstOrDefault()
                ?? throw new ArgumentException($"'{eventType}' is not an order event type.", nameof(eventType));
}

public sealed class InvalidOrderTransitionException(OrderStatus from, OrderStatus to)
    : InvalidOperationException($"An order cannot move from {from} to {to}.")
{
    public OrderStatus From { get; } = from;

    public OrderStatus To { get; } = to;
}
