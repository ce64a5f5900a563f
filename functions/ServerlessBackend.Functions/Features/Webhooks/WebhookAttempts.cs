using System.Text.Json;
using Azure.Messaging.ServiceBus;
using ServerlessBackend.Functions.Platform.Json;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>
/// Attempt <see cref="Number"/> of delivering one event to one endpoint. <see cref="Payload"/> is the JSON body, fixed
/// when the event was fanned out, so every attempt sends the same bytes under the same <c>webhook-id</c> (the event id).
/// </summary>
public sealed record WebhookAttempt(string TenantId, string WebhookId, string EventId, string EventType, string OrderId, int Number, string Payload);

/// <summary>The wire format of a <see cref="WebhookAttempt"/> on the orders topic (Subject <see cref="MessagingTopology.WebhookAttemptSubject"/>), both ways.</summary>
public static class WebhookAttempts
{
    /// <summary>
    /// MessageId = event, endpoint and attempt number, so a second send of the same attempt (a redelivered fan-out or
    /// failure) is dropped by duplicate detection; tenantId and SessionId (the order) as on order events, so the
    /// dead-letter routes list and replay attempts like events. <paramref name="notBefore"/>: a scheduled retry.
    /// </summary>
    public static ServiceBusMessage ToMessage(WebhookAttempt attempt, DateTimeOffset? notBefore = null)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var message = new ServiceBusMessage(BinaryData.FromObjectAsJson(attempt, ApiJson.Options))
        {
            MessageId = $"{attempt.EventId}:webhook:{attempt.WebhookId}:{attempt.Number}",
            Subject = MessagingTopology.WebhookAttemptSubject,
            SessionId = attempt.OrderId,
            CorrelationId = attempt.OrderId,
            ContentType = OrderEventMessages.JsonContentType,
        };
        message.ApplicationProperties[OrderEventMessages.TenantIdProperty] = attempt.TenantId;
        if (notBefore is { } at)
        {
            message.ScheduledEnqueueTime = at;
        }

        return message;
    }

    /// <summary>Reads a received attempt; one that can never be processed throws <see cref="PoisonMessageException"/>.</summary>
    public static WebhookAttempt Parse(ServiceBusReceivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        WebhookAttempt? attempt;
        try
        {
            attempt = message.Body.ToObjectFromJson<WebhookAttempt>(ApiJson.Options);
        }
        catch (JsonException e)
        {
            throw new PoisonMessageException(message.MessageId, $"body is not a webhook attempt: {e.Message}", e);
        }

        if (attempt is null
            || string.IsNullOrWhiteSpace(attempt.TenantId) || string.IsNullOrWhiteSpace(attempt.WebhookId) || string.IsNullOrWhiteSpace(attempt.EventId)
            || string.IsNullOrWhiteSpace(attempt.EventType) || string.IsNullOrWhiteSpace(attempt.Payload) || attempt.Number < 1)
        {
            throw new PoisonMessageException(message.MessageId, "tenantId, webhookId, eventId, eventType, payload and a positive number are required");
        }

        if (!message.ApplicationProperties.TryGetValue(OrderEventMessages.TenantIdProperty, out var tenant) || tenant as string != attempt.TenantId)
        {
            throw new PoisonMessageException(message.MessageId, "the tenantId property disagrees with the body");
        }

        return attempt;
    }
}
