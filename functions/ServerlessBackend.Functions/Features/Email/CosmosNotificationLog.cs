using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Shared.Cosmos;

namespace ServerlessBackend.Functions.Features.Email;

/// <summary>The notification log in the notifications container: a point read to check, a create to record.</summary>
public sealed class CosmosNotificationLog(CosmosContainers containers) : INotificationLog
{
    public async Task<bool> WasSentAsync(string tenantId, string eventId, CancellationToken cancellationToken) =>
        await CosmosErrors.ReadOrNull<SentNotification>(containers.Notifications, eventId, tenantId, cancellationToken) is not null;

    public async Task RecordSentAsync(SentNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        try
        {
            await CosmosErrors.Translate(notification.Id, () => containers.Notifications.CreateItemAsync(
                notification, new PartitionKey(notification.TenantId), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken));
        }
        catch (DocumentConflictException)
        {
            // Recorded by a concurrent delivery of the same event: the record is what matters.
        }
    }
}
