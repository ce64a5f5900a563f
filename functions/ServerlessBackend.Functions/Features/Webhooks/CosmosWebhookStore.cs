using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Webhooks;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Functions.Features.Webhooks;

public sealed class CosmosWebhookStore(CosmosContainers containers) : IWebhookStore
{
    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };

    private static readonly TransactionalBatchItemRequestOptions NoBatchContent = new() { EnableContentResponseOnWrite = false };

    private Container Webhooks => containers.Webhooks;

    public Task<Versioned<WebhookEndpoint>?> GetAsync(string tenantId, string webhookId, CancellationToken cancellationToken) =>
        CosmosErrors.ReadOrNull<WebhookEndpoint>(Webhooks, webhookId, tenantId, cancellationToken);

    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        // The container indexes nothing: a scan of the tenant's partition, which holds a handful of small documents.
        // The filter repeats the partition key, which the query is already scoped to (and which the tests' server requires).
        var query = new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId AND IS_DEFINED(c.url)").WithParameter("@tenantId", tenantId);
        var page = await CosmosErrors.ReadPage<WebhookEndpoint>(
            Webhooks, query, tenantId, WebhooksHandler.MaxEndpointsPerTenant * 2, continuation: null, directExecution: true, cancellationToken).ConfigureAwait(false);
        return [.. page.Items.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id, StringComparer.Ordinal)];
    }

    public async Task<EndpointCount> CountAsync(string tenantId, CancellationToken cancellationToken) =>
        await CosmosErrors.ReadOrNull<CountDocument>(Webhooks, CountDocument.DocumentId, tenantId, cancellationToken).ConfigureAwait(false) is { } count
            ? new EndpointCount(count.Value.Count, count.ETag)
            : new EndpointCount((await ListAsync(tenantId, cancellationToken).ConfigureAwait(false)).Count, ETag: null);

    public async Task<string> CreateAsync(WebhookEndpoint endpoint, EndpointCount count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(count);
        var counted = new CountDocument(endpoint.TenantId, count.Endpoints + 1);
        var batch = Webhooks.CreateTransactionalBatch(new PartitionKey(endpoint.TenantId));
        batch = count.ETag is null
            ? batch.CreateItem(counted, NoBatchContent)
            : batch.ReplaceItem(CountDocument.DocumentId, counted, new TransactionalBatchItemRequestOptions { IfMatchEtag = count.ETag, EnableContentResponseOnWrite = false });
        try
        {
            using var response = await CosmosErrors.ExecuteBatchAsync(endpoint.Id, batch.CreateItem(endpoint, NoBatchContent), cancellationToken).ConfigureAwait(false);
            return response[1].ETag;
        }
        catch (DocumentConflictException e) when (count.ETag is null)
        {
            // Another registration created the count first: a lost race like a changed ETag.
            throw new DocumentPreconditionFailedException(CountDocument.DocumentId, e);
        }
    }

    public Task<string> ReplaceAsync(WebhookEndpoint endpoint, string ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var options = new ItemRequestOptions { IfMatchEtag = ifMatch, EnableContentResponseOnWrite = false };
        return CosmosErrors.Translate(endpoint.Id, async () =>
            (await Webhooks.ReplaceItemAsync(endpoint, endpoint.Id, new PartitionKey(endpoint.TenantId), options, cancellationToken).ConfigureAwait(false)).ETag);
    }

    public async Task<bool> DeleteAsync(string tenantId, string webhookId, CancellationToken cancellationToken)
    {
        try
        {
            await ETagRaces.DecideAsync(
                await CountAsync(tenantId, cancellationToken).ConfigureAwait(false),
                async count =>
                {
                    var batch = Webhooks.CreateTransactionalBatch(new PartitionKey(tenantId)).DeleteItem(webhookId);
                    if (count.ETag is not null)
                    {
                        var uncounted = new CountDocument(tenantId, Math.Max(0, count.Endpoints - 1));
                        batch = batch.ReplaceItem(CountDocument.DocumentId, uncounted, new TransactionalBatchItemRequestOptions { IfMatchEtag = count.ETag, EnableContentResponseOnWrite = false });
                    }

                    using var response = await CosmosErrors.ExecuteBatchAsync(webhookId, batch, cancellationToken).ConfigureAwait(false);
                    return true;
                },
                _ => CountAsync(tenantId, cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (DocumentNotFoundException)
        {
            return false; // no such endpoint (the batch's delete is the check): nothing written
        }
    }

    /// <summary>
    /// The tenant's endpoint count, one document beside its endpoints (same partition), so a registration and its count
    /// are one batch and the limit holds under concurrent registrations. Never listed: it has no url.
    /// </summary>
    private sealed record CountDocument(string TenantId, int Count)
    {
        public const string DocumentId = "endpoint-count";

        public string Id { get; init; } = DocumentId;
    }
}
