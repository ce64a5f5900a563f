using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Functions.Features.Email;

/// <summary>The notification log in the notifications container: point reads and conditional point writes.</summary>
public sealed class CosmosNotificationLog(CosmosContainers containers) : INotificationLog
{
    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };

    public Task<Versioned<Notification>?> ReadAsync(string tenantId, string eventId, CancellationToken cancellationToken) =>
        CosmosErrors.ReadOrNull<Notification>(containers.Notifications, eventId, tenantId, cancellationToken);

    public async Task<string?> TryCreateAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        try
        {
            var response = await CosmosErrors.Translate(notification.Id, () => containers.Notifications.CreateItemAsync(
                notification, new PartitionKey(notification.TenantId), NoContent, cancellationToken)).ConfigureAwait(false);
            return response.ETag;
        }
        catch (DocumentConflictException)
        {
            return null;
        }
    }

    public async Task<string?> TryReplaceAsync(Notification notification, string etag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        try
        {
            var options = new ItemRequestOptions { IfMatchEtag = etag, EnableContentResponseOnWrite = false };
            var response = await CosmosErrors.Translate(notification.Id, () => containers.Notifications.ReplaceItemAsync(
                notification, notification.Id, new PartitionKey(notification.TenantId), options, cancellationToken)).ConfigureAwait(false);
            return response.ETag;
        }
        catch (Exception e) when (e is DocumentPreconditionFailedException or DocumentNotFoundException)
        {
            return null;
        }
    }

    public async Task TryDeleteAsync(string tenantId, string eventId, string etag, CancellationToken cancellationToken)
    {
        try
        {
            var options = new ItemRequestOptions { IfMatchEtag = etag };
            await CosmosErrors.Translate(eventId, () => containers.Notifications.DeleteItemAsync<Notification>(
                eventId, new PartitionKey(tenantId), options, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DocumentPreconditionFailedException or DocumentNotFoundException)
        {
            // Taken over or finished by another delivery meanwhile: theirs now.
        }
    }
}
