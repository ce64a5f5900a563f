using Azure.Messaging.ServiceBus;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>
/// An order event on the webhooks subscription: one first attempt per enabled endpoint of the tenant that asked for
/// the event type, sent to the topic in one batch, each endpoint then retried on its own. A tenant without endpoints
/// costs one scan of its (empty) webhooks partition. Idempotent: the attempts' MessageIds name event and endpoint,
/// so a redelivered event's second fan-out is dropped by duplicate detection.
/// </summary>
public sealed class FanOutWebhooksHandler(IWebhookStore webhooks, IOrderStore orders, ServiceBusSender topic)
{
    public async Task HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        var endpoints = (await webhooks.ListAsync(orderEvent.TenantId, cancellationToken)).Where(e => e.Wants(orderEvent.Type)).ToList();
        if (endpoints.Count == 0)
        {
            return;
        }

        var order = await orders.GetForEventAsync(orderEvent, cancellationToken);
        var payload = WebhookPayload.Json(orderEvent, order.Value);
        var attempts = endpoints.Select(endpoint => WebhookAttempts.ToMessage(
            new WebhookAttempt(orderEvent.TenantId, endpoint.Id, orderEvent.Id, orderEvent.Type, orderEvent.OrderId, Number: 1, payload)));
        await topic.SendMessagesAsync(attempts, cancellationToken);
    }
}
