using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>
/// The webhooks subscription: an order event is fanned out to the tenant's endpoints, a webhook attempt is delivered.
/// Any exception propagates so Service Bus retries and finally dead-letters.
/// </summary>
public sealed class WebhookDeliveryFunction(FanOutWebhooksHandler fanOut, DeliverWebhookHandler deliver, OrderEventDelivery delivery)
{
    [Function("WebhookDelivery")]
    public Task Run(
        [ServiceBusTrigger(MessagingTopology.OrdersTopic, MessagingTopology.WebhooksSubscription, Connection = MessagingTopology.Connection)]
        ServiceBusReceivedMessage message,
        CancellationToken cancellationToken) =>
        HandleAsync(message, cancellationToken);

    public Task HandleAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Subject == MessagingTopology.WebhookAttemptSubject
            ? deliver.HandleAsync(WebhookAttempts.Parse(message), cancellationToken)
            : delivery.HandleAsync("webhooks", message, fanOut.HandleAsync, cancellationToken);
    }
}
