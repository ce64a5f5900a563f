using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Email;

/// <summary>
/// Order events from the session-enabled email subscription (session = order, so one order's emails
/// go out in order). Any exception propagates so Service Bus retries and finally dead-letters.
/// </summary>
public sealed class EmailFunction(SendOrderEmailHandler handler, OrderEventDelivery delivery)
{
    [Function("Email")]
    public Task Run(
        [ServiceBusTrigger(MessagingTopology.OrdersTopic, MessagingTopology.EmailSubscription,
            Connection = MessagingTopology.Connection, IsSessionsEnabled = true)]
        ServiceBusReceivedMessage message,
        CancellationToken cancellationToken) =>
        delivery.HandleAsync("email", message, handler.HandleAsync, cancellationToken);
}
