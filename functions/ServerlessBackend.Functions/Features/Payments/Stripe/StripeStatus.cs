using global::Stripe;

using ServerlessBackend.Functions.Domain.Orders;

namespace ServerlessBackend.Functions.Features.Payments.Stripe;

/// <summary>What a PaymentIntent's status means for each call (https://docs.stripe.com/payments/paymentintents/lifecycle).</summary>
internal static class StripeStatus
{
    public const string RequiresCapture = "requires_capture";
    public const string RequiresPaymentMethod = "requires_payment_method";
    public const string Succeeded = "succeeded";
    public const string Canceled = "canceled";

    /// <summary>
    /// Held (requires_capture; succeeded only under automatic capture) is authorized; cancelled, or back to
    /// requires_payment_method after a failed attempt, is declined; anything else waits for the customer or the
    /// network (requires_action, requires_payment_method, requires_confirmation, processing), its outcome a webhook.
    /// </summary>
    public static AuthorizationResult Authorization(PaymentIntent intent)
    {
        ArgumentNullException.ThrowIfNull(intent);
        return intent.Status switch
        {
            RequiresCapture => new AuthorizationResult(AuthorizationStatus.Authorized) { Held = Held(intent, intent.AmountCapturable) },
            Succeeded => new AuthorizationResult(AuthorizationStatus.Authorized) { Held = Held(intent, intent.AmountReceived) },
            Canceled => new AuthorizationResult(AuthorizationStatus.Declined, DeclineCode: intent.CancellationReason ?? Canceled),
            RequiresPaymentMethod when intent.LastPaymentError is { } error =>
                new AuthorizationResult(AuthorizationStatus.Declined, DeclineCode: error.DeclineCode ?? error.Code ?? "payment_failed"),
            _ => new AuthorizationResult(AuthorizationStatus.ActionRequired, ClientSecret: intent.ClientSecret),
        };
    }

    private static PaymentHold Held(PaymentIntent intent, long amount) => new(amount, intent.Currency?.ToUpperInvariant() ?? string.Empty);

    /// <summary>Captured (now or before) succeeds; cancelled, or never authorized, fails; held or processing is not settled (null).</summary>
    public static PaymentCallResult? Capture(PaymentIntent intent)
    {
        ArgumentNullException.ThrowIfNull(intent);
        return intent.Status switch
        {
            Succeeded => new PaymentCallResult(true),
            Canceled => new PaymentCallResult(false, Canceled),
            RequiresCapture or "processing" => null,
            _ => new PaymentCallResult(false, intent.Status),
        };
    }

    /// <summary>Cancelled (now or before) succeeds; captured fails (the money was taken); anything else is not settled (null).</summary>
    public static PaymentCallResult? Void(PaymentIntent intent)
    {
        ArgumentNullException.ThrowIfNull(intent);
        return intent.Status switch
        {
            Canceled => new PaymentCallResult(true),
            Succeeded => new PaymentCallResult(false, "already_captured"),
            _ => null,
        };
    }

    /// <summary>
    /// A Refund's status (https://docs.stripe.com/api/refunds/object): succeeded; failed or canceled (with the
    /// failure_reason, a code); pending and requires_action wait for a later refund.updated or refund.failed.
    /// </summary>
    public static ProviderRefund Refund(global::Stripe.Refund refund)
    {
        ArgumentNullException.ThrowIfNull(refund);
        return refund.Status switch
        {
            Succeeded => new ProviderRefund(RefundStatus.Succeeded, refund.Id),
            "failed" or Canceled => new ProviderRefund(RefundStatus.Failed, refund.Id, refund.FailureReason ?? refund.Status),
            _ => new ProviderRefund(RefundStatus.Pending, refund.Id),
        };
    }

    /// <summary>The intent is in a state the call should have moved it out of: the message is retried, then dead-lettered.</summary>
    public static InvalidOperationException Unsettled(string operation, PaymentIntent intent) =>
        new($"Stripe PaymentIntent {intent.Id} is {intent.Status} after {operation}.");
}
