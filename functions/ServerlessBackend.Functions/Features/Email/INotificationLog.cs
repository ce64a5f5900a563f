namespace ServerlessBackend.Functions.Features.Email;

/// <summary>The notifications already sent, keyed by event id, so a redelivered event sends nothing twice.</summary>
public interface INotificationLog
{
    Task<bool> WasSentAsync(string tenantId, string eventId, CancellationToken cancellationToken);

    /// <summary>Records a sent notification; recording one that is already there is not an error.</summary>
    Task RecordSentAsync(SentNotification notification, CancellationToken cancellationToken);
}

/// <summary>One sent email (notifications container, id = event id, partition key = tenant, expires by the container's TTL).</summary>
public sealed record SentNotification(string Id, string TenantId, string OrderId, string Type, string To, DateTimeOffset SentAt);
