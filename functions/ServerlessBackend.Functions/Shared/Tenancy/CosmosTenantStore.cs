using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Audit;

namespace ServerlessBackend.Functions.Shared.Tenancy;

public sealed class CosmosTenantStore(CosmosContainers containers) : ITenantStore
{
    private Container Tenants => containers.Tenants;

    public Task<Versioned<TenantRecord>?> GetAsync(string tenantId, CancellationToken cancellationToken) =>
        CosmosErrors.ReadOrNull<TenantRecord>(Tenants, TenantRecord.DocumentId, tenantId, cancellationToken);

    public Task<string> CreateAsync(TenantRecord record, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return WriteAsync(record, batch => batch.CreateItem(record, NoContent()), audit, cancellationToken);
    }

    public Task<string> ReplaceAsync(TenantRecord record, string ifMatch, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var options = NoContent();
        options.IfMatchEtag = ifMatch;
        return WriteAsync(record, batch => batch.ReplaceItem(TenantRecord.DocumentId, record, options), audit, cancellationToken);
    }

    private async Task<string> WriteAsync(TenantRecord record, Func<TransactionalBatch, TransactionalBatch> change, AuditEntry audit, CancellationToken cancellationToken)
    {
        var batch = change(Tenants.CreateTransactionalBatch(new PartitionKey(record.TenantId))).CreateItem(audit, NoContent());
        using var response = await CosmosErrors.ExecuteBatchAsync(record.TenantId, batch, cancellationToken).ConfigureAwait(false);
        return response[0].ETag;
    }

    private static TransactionalBatchItemRequestOptions NoContent() => new() { EnableContentResponseOnWrite = false };
}
