using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Payments;

/// <summary>
/// RefundRequested: asks the provider for the refund with the key "{eventId}:refund" (the event id names the refund, so
/// every delivery of it, redelivered, replayed or concurrent, gets the provider's first answer: one refund there), and
/// records the answer (<see cref="RefundOutcomes"/>). A refund that is no longer Requested was asked for before: nothing is sent.
/// </summary>
public sealed class RefundPaymentHandler(IOrderStore orders, IPaymentProvider provider, RefundOutcomes outcomes)
{
    public async Task<PaymentOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        var order = await orders.GetRecordedForEventAsync(orderEvent, cancellationToken);
        var refund = order.Value.Refund(orderEvent.RefundId!)!;
        if (refund.Status != RefundStatus.Requested)
        {
            return PaymentOutcome.AlreadyDone;
        }

        if (order.Value.Payment is not { Status: PaymentStatus.Captured } payment)
        {
            throw new PoisonMessageException(orderEvent.Id, $"order {order.Value.Id} has a refund requested on a payment that is not captured");
        }

        provider.EnsureHolds(payment, order.Value.Id);
        var call = new RefundCall(order.Value.TenantId, order.Value.Id, refund.Id, payment.PaymentId, refund.AmountMinor, refund.Currency, order.Value.PaymentMethod);
        var result = await provider.RefundAsync(call, $"{orderEvent.Id}:refund", cancellationToken);
        await outcomes.RecordAsync(order, refund.Id, result, orderEvent.CorrelationId, cancellationToken);
        return result.Status switch
        {
            RefundStatus.Succeeded => PaymentOutcome.Refunded,
            RefundStatus.Failed => PaymentOutcome.RefundFailed,
            _ => PaymentOutcome.RefundPending,
        };
    }
}
