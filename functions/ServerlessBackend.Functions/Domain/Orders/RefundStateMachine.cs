
namespace ServerlessBackend.Functions.Domain.Orders;

/// <summary>
/// The allowed refund status changes and the event each records. Succeeded to Failed is Stripe's: a card refund can
/// succeed and fail days later (expired or closed card). The graph has no cycles, so each refund reaches each status at
/// most once and its event ids "{orderId}.{refundId}.{eventType}" are stable.
/// </summary>
public static class RefundStateMachine
{
    private static readonly Dictionary<RefundStatus, RefundStatus[]> Transitions = new()
    {
        [RefundStatus.Requested] = [RefundStatus.Pending, RefundStatus.Succeeded, RefundStatus.Failed],
        [RefundStatus.Pending] = [RefundStatus.Succeeded, RefundStatus.Failed],
        [RefundStatus.Succeeded] = [RefundStatus.Failed],
    };

    private static readonly Dictionary<RefundStatus, string> Events = new()
    {
        [RefundStatus.Requested] = OrderEventTypes.RefundRequested,
        [RefundStatus.Succeeded] = OrderEventTypes.RefundSucceeded,
        [RefundStatus.Failed] = OrderEventTypes.RefundFailed,
    };

    public static bool CanTransition(RefundStatus from, RefundStatus to) =>
        Transitions.TryGetValue(from, out var targets) && targets.Contains(to);

    /// <summary>The event a change to <paramref name="status"/> records (none for Pending).</summary>
    public static string? EventTypeFor(RefundStatus status) => Events.TryGetValue(status, out var type) ? type : null;

    public static bool IsRefundEvent(string eventType) => Events.ContainsValue(eventType);

    /// <summary>The refund status a refund event announces; throws for any other event type.</summary>
    public static RefundStatus StatusAnnouncedBy(string eventType) =>
        Events.Where(e => e.Value == eventType).Select(e => (RefundStatus?)e.Key).FirstOrDefault()
            ?? throw new ArgumentException($"'{eventType}' is not a refund event type.", nameof(eventType));
}

public sealed class InvalidRefundTransitionException(RefundStatus from, RefundStatus to)
    : InvalidOperationException($"A refund cannot move from {from} to {to}.");
