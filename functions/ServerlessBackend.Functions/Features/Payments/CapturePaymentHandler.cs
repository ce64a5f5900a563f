using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Payments;

/// <summary>
/// OrderShipped: captures the authorized payment, with the key "{eventId}:capture" (a redelivery after a crash gets the
/// same answer), and records the capture or its refusal. A refused capture is an outcome, recorded and not retried.
/// </summary>
public sealed partial class CapturePaymentHandler(
    IOrderStore orders, IPaymentProvider provider, OrderTransitions transitions, TimeProvider clock, ILogger<CapturePaymentHandler> logger)
{
    public async Task<PaymentOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        var order = await orders.GetRecordedForEventAsync(orderEvent, cancellationToken);
        var payment = order.Value.Payment;
        if (payment is null)
        {
            // Confirmed before payments existed: nothing to capture.
            return PaymentOutcome.NoPayment;
        }

        if (payment.Status is PaymentStatus.Captured or PaymentStatus.CaptureFailed)
        {
            return PaymentOutcome.AlreadyDone;
        }

        if (payment.Status != PaymentStatus.Authorized)
        {
            throw new PoisonMessageException(orderEvent.Id, $"order {order.Value.Id} shipped with a payment that is {payment.Status}, not authorized");
        }

        provider.EnsureHolds(payment, orderEvent.OrderId);
        var result = await provider.CaptureAsync(payment.PaymentId, payment.AmountMinor, $"{orderEvent.Id}:capture", cancellationToken);
        var target = result.Succeeded ? PaymentStatus.Captured : PaymentStatus.CaptureFailed;
        var code = result.Succeeded ? null : ProviderCodes.Recordable(result.FailureCode);
        await transitions.RecordPaymentAsync(order, p => p?.Status == PaymentStatus.Authorized ? p.MoveTo(target, clock.GetUtcNow(), code) : null, orderEvent.CorrelationId, cancellationToken);
        if (!result.Succeeded)
        {
            LogCaptureFailed(logger, order.Value.TenantId, order.Value.Id, code!);
        }

        return result.Succeeded ? PaymentOutcome.Captured : PaymentOutcome.CaptureFailed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The capture for order {TenantId}/{OrderId} was refused ({Code}); recorded, not retried")]
    private static partial void LogCaptureFailed(ILogger logger, string tenantId, string orderId, string code);
}
