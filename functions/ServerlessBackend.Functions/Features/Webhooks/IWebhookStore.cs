using ServerlessBackend.Functions.Domain.Webhooks;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>One tenant's webhook endpoints (webhooks container). Every call names the tenant.</summary>
public interface IWebhookStore
{
    Task<Versioned<WebhookEndpoint>?> GetAsync(string tenantId, string webhookId, CancellationToken cancellationToken);

    /// <summary>All the tenant's endpoints (at most <see cref="WebhooksHandler.MaxEndpointsPerTenant"/>), oldest first.</summary>
    Task<IReadOnlyList<WebhookEndpoint>> ListAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>How many endpoints the tenant has, with the version of that count to write the next one on.</summary>
    Task<EndpointCount> CountAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the endpoint and counts it, in one transactional batch conditional on <paramref name="count"/> (as
    /// <see cref="CountAsync"/> read it): <see cref="DocumentPreconditionFailedException"/> when another registration or
    /// deletion changed the count since, and then neither is written.
    /// </summary>
    Task<string> CreateAsync(WebhookEndpoint endpoint, EndpointCount count, CancellationToken cancellationToken);

    /// <summary>Throws <see cref="DocumentPreconditionFailedException"/> when the endpoint changed since <paramref name="ifMatch"/>, <see cref="DocumentNotFoundException"/> when it is gone.</summary>
    Task<string> ReplaceAsync(WebhookEndpoint endpoint, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Deletes the endpoint and uncounts it in one batch (re-read on a lost race); false when there was nothing to delete.</summary>
    Task<bool> DeleteAsync(string tenantId, string webhookId, CancellationToken cancellationToken);
}

/// <summary>
/// A tenant's endpoint count: <paramref name="ETag"/> is the version of its count document, null when there is none yet
/// (the tenant's first registration, or endpoints stored before the count existed: then the endpoints listed).
/// </summary>
public sealed record EndpointCount(int Endpoints, string? ETag);
