using System.Security.Cryptography;
using System.Text;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;

namespace ServerlessBackend.Functions.Features.Payments;

/// <summary>
/// A payment provider for development and tests: no network, no state, deterministic. The outcome of an authorization
/// follows the order's payment method, named like Stripe's test PaymentMethods (functions/README.md lists them): none
/// or any other token authorizes; <see cref="DeclinedMethods"/> decline with Stripe's decline code;
/// <see cref="AuthenticationRequired"/> requires action and returns a fake client secret. The payment id is derived
/// from the create key, so a redelivery gets the same id; capture and void always succeed. A refund succeeds, except
/// for the payment methods of <see cref="RefundFailingMethods"/> (Stripe's pm_card_refundFail: its refunds fail, there
/// after first succeeding, here at once); its id is derived from the key like the payment's. Stripe's pending refunds
/// (no test card makes one) are not reproduced. It applies the same limits
/// as Stripe (<see cref="PaymentLimits"/>), so what it accepts Stripe would too.
/// </summary>
public sealed class LocalPaymentProvider : IPaymentProvider
{
    public const string ProviderName = "local";

    public const string AuthenticationRequired = "pm_card_authenticationRequired";

    /// <summary>Stripe's declining test PaymentMethods and the decline code Stripe gives for each.</summary>
    public static IReadOnlyDictionary<string, string> DeclinedMethods { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["pm_card_chargeDeclined"] = "generic_decline",
        ["pm_card_chargeDeclinedInsufficientFunds"] = "insufficient_funds",
        ["pm_card_chargeDeclinedLostCard"] = "lost_card",
        ["pm_card_chargeDeclinedStolenCard"] = "stolen_card",
        ["pm_card_chargeDeclinedExpiredCard"] = "expired_card",
        ["pm_card_chargeDeclinedIncorrectCvc"] = "incorrect_cvc",
        ["pm_card_chargeDeclinedProcessingError"] = "processing_error",
    };

    /// <summary>Stripe's test PaymentMethod whose refunds fail (the card is closed), with the failure reason Stripe reports.</summary>
    public static IReadOnlyDictionary<string, string> RefundFailingMethods { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["pm_card_refundFail"] = "expired_or_canceled_card",
    };

    public string Name => ProviderName;

    public Task<string> CreateAsync(PaymentRequest request, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        var check = PaymentLimits.Check(MinorUnits.ToAmount(request.AmountMinor, request.Currency), request.Currency);
        if (!check.IsPayable || check.AmountMinor != request.AmountMinor)
        {
            // Stripe answers such a request with 400; placement refuses these orders, so getting here is a bug.
            throw new ArgumentException(PaymentLimits.Describe(check, request.Currency) ?? "The amount is not in minor units.", nameof(request));
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey));
        return Task.FromResult("lpay_" + Convert.ToHexStringLower(digest)[..24]);
    }

    public Task<AuthorizationResult> AuthorizeAsync(string paymentId, PaymentRequest request, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PaymentMethod == AuthenticationRequired)
        {
            return Task.FromResult(new AuthorizationResult(AuthorizationStatus.ActionRequired, ClientSecret: $"{paymentId}_secret_local"));
        }

        return Task.FromResult(request.PaymentMethod is not null && DeclinedMethods.TryGetValue(request.PaymentMethod, out var code)
            ? new AuthorizationResult(AuthorizationStatus.Declined, DeclineCode: code)
            : new AuthorizationResult(AuthorizationStatus.Authorized) { Held = new(request.AmountMinor, request.Currency) });
    }

    public Task<PaymentCallResult> CaptureAsync(string paymentId, long amountMinor, string idempotencyKey, CancellationToken cancellationToken) =>
        Task.FromResult(new PaymentCallResult(Succeeded: true));

    public Task<PaymentCallResult> VoidAsync(string paymentId, string idempotencyKey, CancellationToken cancellationToken) =>
        Task.FromResult(new PaymentCallResult(Succeeded: true));

    public Task<ProviderRefund> RefundAsync(RefundCall call, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(call.AmountMinor);
        var id = "lre_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..24];
        return Task.FromResult(call.PaymentMethod switch
        {
            { } method when RefundFailingMethods.TryGetValue(method, out var reason) => new ProviderRefund(RefundStatus.Failed, id, reason),
            _ => new ProviderRefund(RefundStatus.Succeeded, id),
        });
    }
}
