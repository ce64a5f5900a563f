using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>
/// Order events from the fulfillment subscription (OrderPlaced, OrderCancelled, OrderShipped, OrderRejected). Any
/// exception propagates: the host abandons the message, Service Bus redelivers and finally dead-letters it.
/// </summary>
public sealed class FulfillmentFunction(FulfillmentHandler handler, OrderEventDelivery delivery)
{
    [Function("Fulfillment")]
    public Task Run(
        [ServiceBusTrigger(MessagingTopology.OrdersTopic, MessagingTopology.FulfillmentSubscription,
            Connection = MessagingTopology.Connection, IsSessionsEnabled = false)]
        ServiceBusReceivedMessage message,
        CancellationToken cancellationToken) =>
        delivery.HandleAsync("fulfillment", message, handler.HandleAsync, cancellationToken);
}
