using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Payments;

/// <summary>
/// A provider's refund outcome recorded on the order's refund: the answer to the refund call
/// (<see cref="RefundPaymentHandler"/>) or one the provider reports later (the Stripe webhook). Decided on the order as
/// read, again after a lost race (<see cref="OrderRaces"/>); an outcome the refund's state machine does not allow from
/// where it stands (it has it, or has moved past it) writes nothing. So duplicates, redeliveries and outcomes arriving out
/// of order change a refund once per status, and its events are recorded once.
/// </summary>
public sealed partial class RefundOutcomes(IOrderStore orders, IPaymentProvider provider, OrderTransitions transitions, TimeProvider clock, ILogger<RefundOutcomes> logger)
{
    /// <summary>
    /// An outcome the provider reports later. Nothing is written unless the order exists in the tenant, its payment is
    /// this provider's <paramref name="paymentId"/>, and it has the refund, of this amount, not known at the provider by another id.
    /// </summary>
    public async Task<PaymentUpdate> HandleAsync(
        string tenantId, string orderId, string refundId, string paymentId, long amountMinor, ProviderRefund outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (string.IsNullOrWhiteSpace(tenantId) || !Order.IsWellFormedId(orderId) || !Order.IsWellFormedRefundId(refundId))
        {
            return PaymentUpdate.UnknownOrder;
        }

        var order = await orders.GetAsync(tenantId, orderId, cancellationToken);
        if (order is null)
        {
            return PaymentUpdate.UnknownOrder;
        }

        if (order.Value.Payment is not { } payment || payment.PaymentId != paymentId || payment.Provider != provider.Name
            || order.Value.Refund(refundId) is not { } refund || refund.AmountMinor != amountMinor
            || (refund.ProviderRefundId is { } known && known != outcome.ProviderRefundId))
        {
            return PaymentUpdate.Mismatch;
        }

        if (refund.Status == outcome.Status)
        {
            return PaymentUpdate.AlreadyApplied;
        }

        var recorded = await RecordAsync(order, refundId, outcome, Activity.Current?.TraceId.ToString(), cancellationToken);
        return recorded ? PaymentUpdate.Applied : PaymentUpdate.Superseded;
    }

    /// <summary>Records the outcome on the refund; false when the refund has it already or has moved past it.</summary>
    internal Task<bool> RecordAsync(Versioned<Order> order, string refundId, ProviderRefund outcome, string? correlationId, CancellationToken cancellationToken) =>
        ETagRaces.DecideAsync(
            order,
            async current =>
            {
                var refund = current.Value.Refund(refundId) ?? throw new InvalidOperationException($"Order {current.Value.Id} lost its refund {refundId}.");
                if (!RefundStateMachine.CanTransition(refund.Status, outcome.Status))
                {
                    return false;
                }

                var code = outcome.Status == RefundStatus.Failed ? ProviderCodes.Recordable(outcome.FailureCode) : null;
                await transitions.RecordRefundAsync(current, refund.MoveTo(outcome.Status, clock.GetUtcNow(), outcome.ProviderRefundId, code), correlationId, cancellationToken);
                LogRecorded(logger, current.Value.TenantId, current.Value.Id, refundId, outcome.Status, code ?? "none");
                return true;
            },
            current => orders.RereadAsync(current.Value, cancellationToken));

    [LoggerMessage(Level = LogLevel.Information, Message = "Refund {RefundId} of order {TenantId}/{OrderId} is {Status} ({Code})")]
    private static partial void LogRecorded(ILogger logger, string tenantId, string orderId, string refundId, RefundStatus status, string code);
}
