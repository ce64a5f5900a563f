using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;

namespace ServerlessBackend.Functions.Features.Payments;

/// <summary>
/// A payment provider (Stripe, or the local one for development and tests). A payment is created first, without
/// holding money, and its id recorded on the order; only then is it authorized. So a delivery that crashed after
/// any provider call finds the payment on the order and can finish or void it. Every call carries an idempotency
/// key derived from the order event, so a redelivered message never authorizes, captures or voids twice.
/// A provider that is down or throttling throws <c>DependencyUnavailableException</c> (the message is retried);
/// a refusal of the payment itself is a result, never an exception.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>Stored on the order's payment: which provider holds it.</summary>
    string Name { get; }

    /// <summary>Creates the payment (nothing is held yet) and returns its id; the same key returns the same id.</summary>
    Task<string> CreateAsync(PaymentRequest request, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Authorizes (holds, does not capture) the amount of a payment made by <see cref="CreateAsync"/>.</summary>
    Task<AuthorizationResult> AuthorizeAsync(string paymentId, PaymentRequest request, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Captures the authorized amount.</summary>
    Task<PaymentCallResult> CaptureAsync(string paymentId, long amountMinor, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Voids the payment (cancels the authorization, or the payment before it was authorized).</summary>
    Task<PaymentCallResult> VoidAsync(string paymentId, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>
    /// Refunds part or all of a captured payment; the same key returns the first answer (one refund at the provider).
    /// A refusal (more than is left, a card that cannot take it) is a <see cref="RefundStatus.Failed"/> result.
    /// </summary>
    Task<ProviderRefund> RefundAsync(RefundCall call, string idempotencyKey, CancellationToken cancellationToken);
}

/// <summary>A refund to make: <see cref="AmountMinor"/> of the payment, and the ids the provider keeps with it (the webhook reads them back).</summary>
public sealed record RefundCall(string TenantId, string OrderId, string RefundId, string PaymentId, long AmountMinor, string Currency, string? PaymentMethod);

/// <summary>What the provider says of a refund: Pending (outcome later), Succeeded or Failed (with its code), and its id there.</summary>
public sealed record ProviderRefund(RefundStatus Status, string? ProviderRefundId, string? FailureCode = null);

/// <summary>What is to be paid: the order total in the currency's minor units (see Domain/Payments), ISO 4217 upper case.</summary>
public sealed record PaymentRequest(string TenantId, string OrderId, long AmountMinor, string Currency, string? PaymentMethod);

public enum AuthorizationStatus
{
    /// <summary>The amount is held and can be captured.</summary>
    Authorized,

    /// <summary>The customer must act (3-D Secure, or no payment method yet); the outcome arrives later (webhook).</summary>
    ActionRequired,

    /// <summary>Refused (card declined, payment cancelled); nothing is held.</summary>
    Declined,
}

/// <summary>An authorization's outcome. <see cref="ClientSecret"/> is set for <see cref="AuthorizationStatus.ActionRequired"/>; <see cref="DeclineCode"/> for a decline (no personal data).</summary>
public sealed record AuthorizationResult(AuthorizationStatus Status, string? ClientSecret = null, string? DeclineCode = null)
{
    /// <summary>What the provider says it holds for an authorization, when it says: checked against the order's payment before the order is confirmed.</summary>
    public PaymentHold? Held { get; init; }
}

/// <summary>An amount held at the provider, in minor units and ISO 4217 upper case.</summary>
public sealed record PaymentHold(long AmountMinor, string Currency);

/// <summary>The outcome of a capture or void: done (also when it was done before), or refused with the provider's code.</summary>
public sealed record PaymentCallResult(bool Succeeded, string? FailureCode = null);

public static class PaymentProviderChecks
{
    /// <summary>
    /// Throws when <paramref name="payment"/> is held by another provider than this one: the provider setting changed
    /// while the payment was open, and it cannot be handled here (the message is retried, then dead-lettered).
    /// </summary>
    public static void EnsureHolds(this IPaymentProvider provider, OrderPayment payment, string orderId)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(payment);
        if (payment.Provider != provider.Name)
        {
            throw new InvalidOperationException($"Order {orderId}'s payment is held by {payment.Provider}, not by the configured {provider.Name}.");
        }
    }
}
