
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Functions.Shared.Audit;

/// <summary>A tenant's audit entries: read newest first; never changed or deleted through the app.</summary>
public interface IAuditLog
{
    /// <summary>
    /// One entry on its own, for a change outside Cosmos DB (a dead-letter replay), in the tenants container. Every change
    /// to a Cosmos document writes its entry in the change's own batch instead (see <see cref="AuditTrail"/>).
    /// </summary>
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>A page of the tenant's entries, newest first; throws <see cref="InvalidContinuationTokenException"/> for a token it did not issue.</summary>
    Task<Page<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken);
}

/// <summary>Filters: one resource type (and id), entries at or after <paramref name="From"/> and before <paramref name="To"/>.</summary>
public sealed record AuditQuery(string TenantId, string? ResourceType, string? ResourceId, DateTimeOffset? From, DateTimeOffset? To, int PageSize, string? ContinuationToken);
