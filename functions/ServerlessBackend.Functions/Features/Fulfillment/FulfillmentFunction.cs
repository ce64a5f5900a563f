using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>
/// Order events from the fulfillment subscription (<see cref="MessagingTopology.FulfillmentEventTypes"/>), each to the
/// handler of its use case. Any exception propagates: the host abandons the message, Service Bus redelivers and
/// finally dead-letters it.
/// </summary>
public sealed class FulfillmentFunction(
    ReserveStockHandler reserve, ReleaseStockHandler release, CommitStockHandler commit, RestockReturnHandler restock, OrderEventDelivery delivery)
{
    [Function("Fulfillment")]
    public Task Run(
        [ServiceBusTrigger(MessagingTopology.OrdersTopic, MessagingTopology.FulfillmentSubscription,
            Connection = MessagingTopology.Connection, IsSessionsEnabled = false)]
        ServiceBusReceivedMessage message,
        CancellationToken cancellationToken) =>
        delivery.HandleAsync("fulfillment", message, HandleAsync, cancellationToken);

    /// <summary>The use case of each event type; any other is completed without effect.</summary>
    public Task<FulfillmentOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        return orderEvent.Type switch
        {
            OrderEventTypes.OrderPlaced => reserve.HandleAsync(orderEvent, cancellationToken),
            OrderEventTypes.OrderCancelled or OrderEventTypes.OrderRejected => release.HandleAsync(orderEvent, cancellationToken),
            OrderEventTypes.OrderShipped => commit.HandleAsync(orderEvent, cancellationToken),
            OrderEventTypes.RefundSucceeded => restock.HandleAsync(orderEvent, cancellationToken),
            _ => Task.FromResult(FulfillmentOutcome.NotForFulfillment),
        };
    }
}
