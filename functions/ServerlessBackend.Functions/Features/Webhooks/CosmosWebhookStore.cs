using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Webhooks;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Functions.Features.Webhooks;

public sealed class CosmosWebhookStore(CosmosContainers containers) : IWebhookStore
{
    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };

    private Container Webhooks => containers.Webhooks;

    public Task<Versioned<WebhookEndpoint>?> GetAsync(string tenantId, string webhookId, CancellationToken cancellationToken) =>
        CosmosErrors.ReadOrNull<WebhookEndpoint>(Webhooks, webhookId, tenantId, cancellationToken);

    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        // The container indexes nothing: a scan of the tenant's partition, which holds a handful of small documents.
        // The filter repeats the partition key, which the query is already scoped to (and which the tests' server requires).
        var query = new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId").WithParameter("@tenantId", tenantId);
        var page = await CosmosErrors.ReadPage<WebhookEndpoint>(
            Webhooks, query, tenantId, WebhooksHandler.MaxEndpointsPerTenant * 2, continuation: null, directExecution: true, cancellationToken).ConfigureAwait(false);
        return [.. page.Items.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id, StringComparer.Ordinal)];
    }

    public Task<string> CreateAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return CosmosErrors.Translate(endpoint.Id, async () =>
            (await Webhooks.CreateItemAsync(endpoint, new PartitionKey(endpoint.TenantId), NoContent, cancellationToken).ConfigureAwait(false)).ETag);
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
            await CosmosErrors.Translate(webhookId, () => Webhooks.DeleteItemAsync<WebhookEndpoint>(webhookId, new PartitionKey(tenantId), cancellationToken: cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (DocumentNotFoundException)
        {
            return false;
        }
    }
}
