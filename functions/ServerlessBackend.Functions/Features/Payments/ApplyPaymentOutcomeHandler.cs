using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Payments;

/// <summary>
/// A provider's authorization outcome recorded on the order: the answer to the authorize call
/// (<see cref="AuthorizePaymentHandler"/>), or one the provider reports later (the Stripe webhook: 3-D Secure completed
/// or failed). Authorized confirms the order and declined rejects it, in the same write as the payment's status; action
/// required records what the customer's browser needs. Decided again on the order as re-read after a lost race; an
/// order cancelled or rejected meanwhile has its payment voided instead.
/// </summary>
public sealed partial class ApplyPaymentOutcomeHandler(
    IOrderStore orders, IPaymentProvider provider, OrderTransitions transitions, VoidPaymentHandler voids, TimeProvider clock,
    ILogger<ApplyPaymentOutcomeHandler> logger)
{
    /// <summary>
    /// An outcome the provider reports later. Nothing is written unless the order exists in the tenant and its payment is
    /// this provider's <paramref name="paymentId"/>. An authorization for an order cancelled or rejected meanwhile, or for
    /// a payment declined before, is voided.
    /// </summary>
    public async Task<PaymentUpdate> HandleAsync(
        string tenantId, string orderId, string paymentId, AuthorizationResult outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (string.IsNullOrWhiteSpace(tenantId) || !Order.IsWellFormedId(orderId))
        {
            return PaymentUpdate.UnknownOrder;
        }

        var order = await orders.GetAsync(tenantId, orderId, cancellationToken);
        if (order is null)
        {
            return PaymentUpdate.UnknownOrder;
        }

        if (order.Value.Payment is not { } payment || payment.PaymentId != paymentId || payment.Provider != provider.Name)
        {
            return PaymentUpdate.Mismatch;
        }

        if (payment.Status == StatusOf(outcome.Status))
        {
            return PaymentUpdate.AlreadyApplied;
        }

        if (HoldsAnotherAmount(order.Value, payment, outcome))
        {
            // Never confirm an order on a hold that is not its total (the intent was changed at the provider).
            return PaymentUpdate.Mismatch;
        }

        if (outcome.Status == AuthorizationStatus.Authorized && payment.Status == PaymentStatus.Declined)
        {
            // Declined is final here, but not always at the provider: a Stripe intent declined once can still be
            // authorized from the browser with the client secret. The order was rejected, so the hold is voided
            // (with the key every path uses to void this order's payment), and nothing is written.
            await voids.VoidAtProviderAsync(order.Value, payment.PaymentId, OrderEventTypes.OrderRejected, cancellationToken);
            return PaymentUpdate.Superseded;
        }

        var applied = await RecordAsync(order, payment.PaymentId, outcome, Activity.Current?.TraceId.ToString(), cancellationToken);
        return applied == PaymentOutcome.AlreadyDone ? PaymentUpdate.Superseded : PaymentUpdate.Applied;
    }

    /// <summary>Records an authorization's outcome on the order (or voids the payment of an order that ended meanwhile).</summary>
    internal async Task<PaymentOutcome> RecordAsync(
        Versioned<Order> order, string paymentId, AuthorizationResult result, string? correlationId, CancellationToken cancellationToken)
    {
        var decided = await ETagRaces.DecideAsync(
            order,
            current => DecideAsync(current, paymentId, result, correlationId, cancellationToken),
            current => orders.RereadAsync(current.Value, cancellationToken));

        // After the loop: the void records with a loop of its own.
        return decided.Outcome ?? await voids.VoidEndedAsync(decided.Order, unrecorded: null, correlationId, cancellationToken);
    }

    /// <summary>Whether the provider holds another amount than <paramref name="payment"/> (the intent was changed at the provider); logged.</summary>
    internal bool HoldsAnotherAmount(Order order, OrderPayment payment, AuthorizationResult result)
    {
        var other = result is { Status: AuthorizationStatus.Authorized, Held: { } held }
            && (held.AmountMinor != payment.AmountMinor || !string.Equals(held.Currency, payment.Currency, StringComparison.Ordinal));
        if (other)
        {
            LogOtherAmount(logger, order.TenantId, order.Id);
        }

        return other;
    }

    /// <summary>The outcome written on <paramref name="order"/>, or none (null) when the order ended: its payment is to be voided.</summary>
    private async Task<Decision> DecideAsync(
        Versioned<Order> order, string paymentId, AuthorizationResult result, string? correlationId, CancellationToken cancellationToken)
    {
        var current = order.Value;
        if (VoidPaymentHandler.HasEnded(current.Status))
        {
            return new Decision(null, order);
        }

        var payment = current.Payment;
        if (current.Status != OrderStatus.AwaitingPayment || payment is null || payment.PaymentId != paymentId
            || payment.Status is not (PaymentStatus.Created or PaymentStatus.ActionRequired)
            || (payment.Status == PaymentStatus.ActionRequired && result.Status == AuthorizationStatus.ActionRequired))
        {
            return new Decision(PaymentOutcome.AlreadyDone, order);
        }

        var now = clock.GetUtcNow();
        switch (result.Status)
        {
            case AuthorizationStatus.Authorized:
                await transitions.ApplyAsync(order, OrderStatus.Confirmed, reason: null, correlationId, payment.MoveTo(PaymentStatus.Authorized, now), cancellationToken);
                LogDecided(logger, current.TenantId, current.Id, OrderStatus.Confirmed, "authorized");
                return new Decision(PaymentOutcome.Authorized, order);
            case AuthorizationStatus.Declined:
                var code = ProviderCodes.Recordable(result.DeclineCode);
                await transitions.ApplyAsync(order, OrderStatus.Rejected, $"The payment was declined ({code}).", correlationId, payment.MoveTo(PaymentStatus.Declined, now, code), cancellationToken);
                LogDecided(logger, current.TenantId, current.Id, OrderStatus.Rejected, code);
                return new Decision(PaymentOutcome.Declined, order);
            default:
                await transitions.RecordPaymentAsync(order, payment.MoveTo(PaymentStatus.ActionRequired, now, clientSecret: result.ClientSecret), correlationId, cancellationToken);
                LogActionRequired(logger, current.TenantId, current.Id);
                return new Decision(PaymentOutcome.ActionRequired, order);
        }
    }

    private static PaymentStatus StatusOf(AuthorizationStatus status) => status switch
    {
        AuthorizationStatus.Authorized => PaymentStatus.Authorized,
        AuthorizationStatus.Declined => PaymentStatus.Declined,
        _ => PaymentStatus.ActionRequired,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {TenantId}/{OrderId} is {Status} by its payment ({Code})")]
    private static partial void LogDecided(ILogger logger, string tenantId, string orderId, OrderStatus status, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {TenantId}/{OrderId} awaits the customer's action on its payment")]
    private static partial void LogActionRequired(ILogger logger, string tenantId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The provider holds another amount than the payment of order {TenantId}/{OrderId}; the order is not confirmed")]
    private static partial void LogOtherAmount(ILogger logger, string tenantId, string orderId);

    /// <summary>What a decision came to: an outcome, or none when the order (as last read) ended.</summary>
    private sealed record Decision(PaymentOutcome? Outcome, Versioned<Order> Order);
}
