
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Functions.Features.Email;

/// <summary>
/// One record per notification (keyed by event id): the claim a delivery takes before it sends, then its outcome.
/// Every write is conditional (create only if absent, replace and delete only at the ETag read), so two deliveries
/// can never both hold the claim.
/// </summary>
public interface INotificationLog
{
    Task<Versioned<Notification>?> ReadAsync(string tenantId, string eventId, CancellationToken cancellationToken);

    /// <summary>Creates the record and returns its ETag; null, writing nothing, when the event already has one.</summary>
    Task<string?> TryCreateAsync(Notification notification, CancellationToken cancellationToken);

    /// <summary>Replaces the record if it is still at <paramref name="etag"/> and returns the new ETag; null, writing nothing, when it changed or is gone.</summary>
    Task<string?> TryReplaceAsync(Notification notification, string etag, CancellationToken cancellationToken);

    /// <summary>Deletes the record if it is still at <paramref name="etag"/>; does nothing when it changed or is gone.</summary>
    Task TryDeleteAsync(string tenantId, string eventId, string etag, CancellationToken cancellationToken);
}

/// <summary>
/// The notification of one event (notifications container, id = event id, partition key = tenant, expires by the
/// container's TTL). <see cref="DeliveryId"/> names the delivery that holds or held the claim; a
/// <see cref="NotificationState.Sending"/> claim whose <see cref="LeaseUntil"/> has passed belongs to a delivery that
/// died, and another may take it over. No recipient address: the order holds it.
/// </summary>
public sealed record Notification(
    string Id,
    string TenantId,
    string OrderId,
    string Type,
    NotificationState State,
    string DeliveryId,
    DateTimeOffset LeaseUntil,
    DateTimeOffset UpdatedAt,
    int? SmtpStatus = null,
    string? SmtpEnhancedStatus = null);

public enum NotificationState
{
    /// <summary>Claimed by a delivery that is sending it (or died doing so).</summary>
    Sending,

    /// <summary>The relay accepted the email.</summary>
    Sent,

    /// <summary>
    /// The relay refused the recipient for good (the recipient's answer to RCPT TO, see <see cref="SmtpRefusal"/>; the
    /// codes in <see cref="Notification.SmtpStatus"/> and <see cref="Notification.SmtpEnhancedStatus"/>): an outcome, never retried.
    /// </summary>
    RejectedByRelay,
}
