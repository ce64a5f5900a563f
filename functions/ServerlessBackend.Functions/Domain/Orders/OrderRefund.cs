namespace ServerlessBackend.Functions.Domain.Orders;

/// <summary>
/// One refund of an order, kept on the order document (<c>Order.Refunds</c>) so that recording it and checking it against
/// the capture and the other refunds is one ETag-guarded write. <see cref="RequestHash"/> tells a retried request (same
/// Idempotency-Key, same body) from a key reused with another body.
/// </summary>
public sealed record OrderRefund
{
    /// <summary>"rfd-" and 24 hex digits, derived from the order and the request's Idempotency-Key.</summary>
    public required string Id { get; init; }

    public required RefundStatus Status { get; init; }

    /// <summary>In the currency's minor units, like the payment's.</summary>
    public required long AmountMinor { get; init; }

    public required string Currency { get; init; }

    /// <summary>The order lines refunded (empty for a refund by amount only).</summary>
    public required IReadOnlyList<RefundLine> Lines { get; init; }

    public string? Reason { get; init; }

    public required string RequestHash { get; init; }

    /// <summary>The refund's id at the provider, once it made one (Stripe's re_...).</summary>
    public string? ProviderRefundId { get; init; }

    /// <summary>The provider's code for a failure (a code, never free text).</summary>
    public string? FailureCode { get; init; }

    /// <summary>Set once the returned lines' quantities are back in stock (fulfillment, after the refund succeeded).</summary>
    public DateTimeOffset? RestockedAt { get; init; }

    public required IReadOnlyList<RefundChange> History { get; init; }

    /// <summary>Whether its amount counts against the capture: every refund that has not failed.</summary>
    public bool Counts => Status != RefundStatus.Failed;

    /// <summary>The lines whose goods came back (they go back to stock once the refund succeeded).</summary>
    public IEnumerable<RefundLine> Returned => Lines.Where(l => l.WithReturn);

    public bool HasBeen(RefundStatus status) => History.Any(h => h.Status == status);

    /// <summary>Moves to <paramref name="target"/>, appending to the history; throws for a forbidden move.</summary>
    public OrderRefund MoveTo(RefundStatus target, DateTimeOffset now, string? providerRefundId, string? code = null)
    {
        if (!RefundStateMachine.CanTransition(Status, target))
        {
            throw new InvalidRefundTransitionException(Status, target);
        }

        return this with
        {
            Status = target,
            ProviderRefundId = providerRefundId ?? ProviderRefundId,
            FailureCode = target == RefundStatus.Failed ? code : FailureCode,
            History = [.. History, new RefundChange(target, now, code)],
        };
    }
}

/// <summary>A quantity of one order line refunded; <see cref="WithReturn"/> when the goods came back.</summary>
public sealed record RefundLine(string ProductId, int Quantity, bool WithReturn);

/// <summary>One entry of a refund's history.</summary>
public sealed record RefundChange(RefundStatus Status, DateTimeOffset At, string? Code);
