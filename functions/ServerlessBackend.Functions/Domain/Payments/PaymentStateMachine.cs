using ServerlessBackend.Functions.Domain.Orders;

namespace ServerlessBackend.Functions.Domain.Payments;

/// <summary>
/// The allowed payment status changes and the event a payment-only outcome records (authorization and decline are
/// announced by the order's own OrderConfirmed and OrderRejected). Like the order's, the graph has no cycles, so each
/// payment event happens at most once per order and its id "{orderId}.{eventType}" is stable.
/// </summary>
public static class PaymentStateMachine
{
    private static readonly Dictionary<PaymentStatus, PaymentStatus[]> Transitions = new()
    {
        [PaymentStatus.Created] = [PaymentStatus.Authorized, PaymentStatus.ActionRequired, PaymentStatus.Declined, PaymentStatus.Voided],
        [PaymentStatus.ActionRequired] = [PaymentStatus.Authorized, PaymentStatus.Declined, PaymentStatus.Voided],
        [PaymentStatus.Authorized] = [PaymentStatus.Captured, PaymentStatus.CaptureFailed, PaymentStatus.Voided],
    };

    private static readonly Dictionary<PaymentStatus, string> Events = new()
    {
        [PaymentStatus.ActionRequired] = OrderEventTypes.PaymentActionRequired,
        [PaymentStatus.Captured] = OrderEventTypes.PaymentCaptured,
        [PaymentStatus.CaptureFailed] = OrderEventTypes.PaymentCaptureFailed,
        [PaymentStatus.Voided] = OrderEventTypes.PaymentVoided,
    };

    public static bool CanTransition(PaymentStatus from, PaymentStatus to) =>
        Transitions.TryGetValue(from, out var targets) && targets.Contains(to);

    public static IEnumerable<PaymentStatus> AllowedFrom(PaymentStatus from) =>
        Transitions.TryGetValue(from, out var targets) ? targets : [];

    /// <summary>Nothing more happens to a payment in this status.</summary>
    public static bool IsFinal(PaymentStatus status) => !Transitions.ContainsKey(status);

    /// <summary>The event a change to <paramref name="status"/> records, or null when the order's own event announces it.</summary>
    public static string? EventTypeFor(PaymentStatus status) => Events.TryGetValue(status, out var type) ? type : null;

    public static bool IsPaymentEvent(string eventType) => Events.ContainsValue(eventType);

    /// <summary>The payment status a payment event announces; throws for any other event type.</summary>
    public static PaymentStatus StatusAnnouncedBy(string eventType) =>
        Events.Where(e => e.Value == eventType).Select(e => (PaymentStatus?)e.Key).FirstOrDefault()
            ?? throw new ArgumentException($"'{eventType}' is not a payment event type.", nameof(eventType));
}

public sealed class InvalidPaymentTransitionException(PaymentStatus from, PaymentStatus to)
    : InvalidOperationException($"A payment cannot move from {from} to {to}.")
{
    public PaymentStatus From { get; } = from;

    public PaymentStatus To { get; } = to;
}
