using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Payments;

/// <summary>
/// Order events from the payment subscription (OrderReserved, OrderShipped, OrderCancelled). Any exception
/// propagates: the host abandons the message, Service Bus redelivers and finally dead-letters it.
/// </summary>
public sealed class PaymentFunction(PaymentHandler handler, OrderEventDelivery delivery)
{
    [Function("Payment")]
    public Task Run(
        [ServiceBusTrigger(MessagingTopology.OrdersTopic, MessagingTopology.PaymentSubscription,
            Connection = MessagingTopology.Connection, IsSessionsEnabled = false)]
        ServiceBusReceivedMessage message,
        CancellationToken cancellationToken) =>
        delivery.HandleAsync("payment", message, handler.HandleAsync, cancellationToken);
}
