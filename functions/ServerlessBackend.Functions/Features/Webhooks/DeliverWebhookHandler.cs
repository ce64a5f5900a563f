using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Webhooks;
using ServerlessBackend.Functions.Platform.Cosmos;
using StandardWebhooks;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>
/// One delivery attempt: signs the payload with each of the endpoint's current secrets (the Standard Webhooks package
/// signs; several signatures during a rollover), posts it, records the outcome on the endpoint (failure count, disabling),
/// and after a failure schedules the next attempt on the topic (<see cref="WebhookRetryPolicy"/>). The last attempt's
/// failure throws, so Service Bus redelivers it and dead-letters it, where the dead-letter routes list and replay it.
/// At least once: a crash after the post and before completion posts again; receivers deduplicate by webhook-id.
/// An attempt for an endpoint deleted, disabled or no longer asking for the event type is dropped.
/// </summary>
public sealed partial class DeliverWebhookHandler(
    IWebhookStore webhooks, IWebhookSender sender, ServiceBusSender topic, TimeProvider clock, ILogger<DeliverWebhookHandler> logger)
{
    public async Task HandleAsync(WebhookAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var endpoint = await webhooks.GetAsync(attempt.TenantId, attempt.WebhookId, cancellationToken);
        if (endpoint is null || !endpoint.Value.Wants(attempt.EventType))
        {
            LogDropped(logger, attempt.EventType, attempt.TenantId, attempt.WebhookId, endpoint is null ? "deleted" : endpoint.Value.Enabled ? "not subscribed" : "disabled");
            return;
        }

        var now = clock.GetUtcNow();
        var signature = string.Join(' ', endpoint.Value.SigningSecrets(now).Select(s => new StandardWebhook(s.Key).Sign(attempt.EventId, now, attempt.Payload)));
        var result = await sender.SendAsync(new WebhookRequest(new Uri(endpoint.Value.Url), attempt.EventId, now, signature, attempt.Payload), cancellationToken);
        var recorded = await RecordAsync(endpoint, result, cancellationToken);
        if (result.Delivered)
        {
            return;
        }

        LogFailed(logger, attempt.EventType, attempt.TenantId, attempt.WebhookId, attempt.Number, result.Failure!, recorded?.ConsecutiveFailures ?? 0);
        if (recorded is { Enabled: false })
        {
            LogDisabled(logger, attempt.TenantId, attempt.WebhookId, recorded.ConsecutiveFailures);
            return;
        }

        if (WebhookRetryPolicy.DelayAfter(attempt.Number) is { } delay)
        {
            var next = attempt with { Number = attempt.Number + 1 };
            await topic.SendMessageAsync(WebhookAttempts.ToMessage(next, clock.GetUtcNow() + delay), cancellationToken);
            return;
        }

        throw new WebhookDeliveryFailedException(
            $"Webhook {attempt.WebhookId} did not take event {attempt.EventId} in {WebhookRetryPolicy.MaxAttempts} attempts (last: {result.Failure}).");
    }

    /// <summary>
    /// The endpoint with this outcome recorded (an ETag compare-and-swap, re-read on a lost race: another attempt to the
    /// same endpoint recording its own outcome); null when it is gone.
    /// </summary>
    private Task<WebhookEndpoint?> RecordAsync(Versioned<WebhookEndpoint> endpoint, WebhookResult result, CancellationToken cancellationToken) =>
        ETagRaces.DecideAsync<Versioned<WebhookEndpoint>?, WebhookEndpoint?>(
            endpoint,
            async current =>
            {
                if (current is null)
                {
                    return null;
                }

                var now = clock.GetUtcNow();
                var updated = result.Delivered ? current.Value.Delivered(now) : current.Value.Failed(now, result.Failure!);
                try
                {
                    await webhooks.ReplaceAsync(updated, current.ETag, cancellationToken);
                    return updated;
                }
                catch (DocumentNotFoundException)
                {
                    return null;
                }
            },
            _ => webhooks.GetAsync(endpoint.Value.TenantId, endpoint.Value.Id, cancellationToken));

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook attempt for {EventType} dropped: endpoint {WebhookId} of tenant {TenantId} is {Why}")]
    private static partial void LogDropped(ILogger logger, string eventType, string tenantId, string webhookId, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} of tenant {TenantId} failed attempt {Attempt} for {EventType}: {Failure} ({Failures} in a row)")]
    private static partial void LogFailed(ILogger logger, string eventType, string tenantId, string webhookId, int attempt, string failure, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} of tenant {TenantId} disabled after {Failures} failed attempts in a row")]
    private static partial void LogDisabled(ILogger logger, string tenantId, string webhookId, int failures);
}

/// <summary>The last attempt of a webhook delivery failed: thrown so Service Bus dead-letters the attempt.</summary>
public sealed class WebhookDeliveryFailedException(string message) : Exception(message);
