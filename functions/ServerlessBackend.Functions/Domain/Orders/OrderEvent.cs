namespace ServerlessBackend.Functions.Domain.Orders;

/// <summary>
/// An integration event about one order, recorded in the order document's outbox in the same write
/// as the change that caused it, then published to the orders topic. Events are thin: consumers read
/// the order for details. <see cref="Id"/> becomes the Service Bus MessageId (duplicate detection),
/// <see cref="Type"/> the Subject (subscription filters), <see cref="OrderId"/> the SessionId.
/// </summary>
public sealed record OrderEvent(
    string Id,
    string Type,
    string TenantId,
    string OrderId,
    DateTimeOffset OccurredAt,
    string? CorrelationId = null,
    string? TraceParent = null)
{
    /// <summary>The refund a refund event is about (its id is part of the event id); null for every other event.</summary>
    public string? RefundId { get; init; }
}

/// <summary>Event type names (the message Subject; subscription filters match on them).</summary>
public static class OrderEventTypes
{
    public const string OrderPlaced = "OrderPlaced";
    public const string OrderReserved = "OrderReserved";
    public const string OrderConfirmed = "OrderConfirmed";
    public const string OrderRejected = "OrderRejected";
    public const string OrderShipped = "OrderShipped";
    public const string OrderCancelled = "OrderCancelled";

    // Payment-only outcomes (the order's status does not change); see Domain/Payments/PaymentStateMachine.
    public const string PaymentActionRequired = "PaymentActionRequired";
    public const string PaymentCaptured = "PaymentCaptured";
    public const string PaymentCaptureFailed = "PaymentCaptureFailed";
    public const string PaymentVoided = "PaymentVoided";

    // Refund outcomes (one event per refund and status); see Domain/Orders/RefundStateMachine.
    public const string RefundRequested = "RefundRequested";
    public const string RefundSucceeded = "RefundSucceeded";
    public const string RefundFailed = "RefundFailed";

    /// <summary>Every event type, order, payment and refund.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        OrderPlaced, OrderReserved, OrderConfirmed, OrderRejected, OrderShipped, OrderCancelled,
        PaymentActionRequired, PaymentCaptured, PaymentCaptureFailed, PaymentVoided,
        RefundRequested, RefundSucceeded, RefundFailed,
    ];
}
