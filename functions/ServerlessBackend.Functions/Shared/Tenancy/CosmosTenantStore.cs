using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Shared.Cosmos;

namespace ServerlessBackend.Functions.Shared.Tenancy;

public sealed class CosmosTenantStore(CosmosContainers containers) : ITenantStore
{
    private Container Tenants => containers.Tenants;

    public Task<Versioned<TenantRecord>?> GetAsync(string tenantId, CancellationToken cancellationToken) =>
        CosmosErrors.ReadOrNull<TenantRecord>(Tenants, TenantRecord.DocumentId, tenantId, cancellationToken);

    public Task<string> CreateAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return CosmosErrors.Translate(record.TenantId, async () =>
            (await Tenants.CreateItemAsync(record, new PartitionKey(record.TenantId), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken).ConfigureAwait(false)).ETag);
    }

    public Task<string> ReplaceAsync(TenantRecord record, string ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var options = new ItemRequestOptions { IfMatchEtag = ifMatch, EnableContentResponseOnWrite = false };
        return CosmosErrors.Translate(record.TenantId, async () =>
            (await Tenants.ReplaceItemAsync(record, TenantRecord.DocumentId, new PartitionKey(record.TenantId), options, cancellationToken).ConfigureAwait(false)).ETag);
    }
}
