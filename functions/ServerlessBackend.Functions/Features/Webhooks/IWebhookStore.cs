using ServerlessBackend.Functions.Domain.Webhooks;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>One tenant's webhook endpoints (webhooks container). Every call names the tenant.</summary>
public interface IWebhookStore
{
    Task<Versioned<WebhookEndpoint>?> GetAsync(string tenantId, string webhookId, CancellationToken cancellationToken);

    /// <summary>All the tenant's endpoints (at most <see cref="WebhooksHandler.MaxEndpointsPerTenant"/>), oldest first.</summary>
    Task<IReadOnlyList<WebhookEndpoint>> ListAsync(string tenantId, CancellationToken cancellationToken);

    Task<string> CreateAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken);

    /// <summary>Throws <see cref="DocumentPreconditionFailedException"/> when the endpoint changed since <paramref name="ifMatch"/>, <see cref="DocumentNotFoundException"/> when it is gone.</summary>
    Task<string> ReplaceAsync(WebhookEndpoint endpoint, string ifMatch, CancellationToken cancellationToken);

    /// <summary>False when there was nothing to delete.</summary>
    Task<bool> DeleteAsync(string tenantId, string webhookId, CancellationToken cancellationToken);
}
