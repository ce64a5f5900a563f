using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Payments;

/// <summary>
/// OrderCancelled, and every payment step that finds the order cancelled or rejected: an order that ended without
/// shipping keeps no money. Its payment, unless final, is voided with a key derived from the event that ended the order
/// (so every path that voids one order's payment sends the same request), then recorded as voided.
/// </summary>
public sealed partial class VoidPaymentHandler(
    IOrderStore orders, IPaymentProvider provider, OrderTransitions transitions, TimeProvider clock, ILogger<VoidPaymentHandler> logger)
{
    public async Task<PaymentOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        return await VoidEndedAsync(await orders.GetRecordedForEventAsync(orderEvent, cancellationToken), unrecorded: null, orderEvent.CorrelationId, cancellationToken);
    }

    /// <summary>Whether an order in <paramref name="status"/> ended without shipping (cancelled or rejected): it keeps no money.</summary>
    public static bool HasEnded(OrderStatus status) => status is OrderStatus.Cancelled or OrderStatus.Rejected;

    /// <summary>Voids the ended order's payment; <paramref name="unrecorded"/> is a payment the caller created but could not record before the order ended.</summary>
    internal async Task<PaymentOutcome> VoidEndedAsync(Versioned<Order> order, OrderPayment? unrecorded, string? correlationId, CancellationToken cancellationToken)
    {
        if ((order.Value.Payment ?? unrecorded) is not { } payment)
        {
            return PaymentOutcome.NoPayment;
        }

        if (PaymentStateMachine.IsFinal(payment.Status))
        {
            return PaymentOutcome.AlreadyDone;
        }

        var endedBy = order.Value.Status == OrderStatus.Cancelled ? OrderEventTypes.OrderCancelled : OrderEventTypes.OrderRejected;
        if (!await VoidAtProviderAsync(order.Value, payment.PaymentId, endedBy, cancellationToken))
        {
            return PaymentOutcome.VoidRefused;
        }

        var voidedAt = clock.GetUtcNow();
        await transitions.RecordPaymentAsync(
            order,
            p => (p ?? unrecorded) is { } open && open.PaymentId == payment.PaymentId && !PaymentStateMachine.IsFinal(open.Status)
                ? open.MoveTo(PaymentStatus.Voided, voidedAt)
                : null,
            correlationId,
            cancellationToken);
        return PaymentOutcome.Voided;
    }

    /// <summary>The provider's void of the payment of an order ended by <paramref name="endedBy"/>, keyed by that event; false (logged) when the provider refuses it.</summary>
    internal async Task<bool> VoidAtProviderAsync(Order order, string paymentId, string endedBy, CancellationToken cancellationToken)
    {
        var result = await provider.VoidAsync(paymentId, $"{Order.EventId(order.Id, endedBy)}:void", cancellationToken);
        if (!result.Succeeded)
        {
            LogVoidRefused(logger, order.TenantId, order.Id, ProviderCodes.Recordable(result.FailureCode));
        }

        return result.Succeeded;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The void for order {TenantId}/{OrderId} was refused ({Code})")]
    private static partial void LogVoidRefused(ILogger logger, string tenantId, string orderId, string code);
}
