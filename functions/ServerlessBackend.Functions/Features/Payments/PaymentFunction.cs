using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Payments;

/// <summary>
/// Order events from the payment subscription (<see cref="MessagingTopology.PaymentEventTypes"/>), each to the handler
/// of its use case. Any exception propagates: the host abandons the message, Service Bus redelivers and finally
/// dead-letters it.
/// </summary>
public sealed class PaymentFunction(
    AuthorizePaymentHandler authorize, CapturePaymentHandler capture, VoidPaymentHandler voidPayment, RefundPaymentHandler refund, OrderEventDelivery delivery)
{
    [Function("Payment")]
    public Task Run(
        [ServiceBusTrigger(MessagingTopology.OrdersTopic, MessagingTopology.PaymentSubscription,
            Connection = MessagingTopology.Connection, IsSessionsEnabled = false)]
        ServiceBusReceivedMessage message,
        CancellationToken cancellationToken) =>
        delivery.HandleAsync("payment", message, HandleAsync, cancellationToken);

    /// <summary>The use case of each event type; any other is completed without effect.</summary>
    public Task<PaymentOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        return orderEvent.Type switch
        {
            OrderEventTypes.OrderReserved => authorize.HandleAsync(orderEvent, cancellationToken),
            OrderEventTypes.OrderShipped => capture.HandleAsync(orderEvent, cancellationToken),
            OrderEventTypes.OrderCancelled => voidPayment.HandleAsync(orderEvent, cancellationToken),
            OrderEventTypes.RefundRequested => refund.HandleAsync(orderEvent, cancellationToken),
            _ => Task.FromResult(PaymentOutcome.NotForPayments),
        };
    }
}
