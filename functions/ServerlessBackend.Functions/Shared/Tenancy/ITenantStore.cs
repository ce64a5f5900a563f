using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Cosmos;

namespace ServerlessBackend.Functions.Shared.Tenancy;

/// <summary>The tenants' records.</summary>
public interface ITenantStore
{
    Task<Versioned<TenantRecord>?> GetAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Creates the record with its audit entry (one batch); <see cref="DocumentConflictException"/> when the tenant has one.</summary>
    Task<string> CreateAsync(TenantRecord record, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Replaces the record read with <paramref name="ifMatch"/>, with its audit entry (one batch); <see cref="DocumentPreconditionFailedException"/> when it changed since.</summary>
    Task<string> ReplaceAsync(TenantRecord record, string ifMatch, AuditEntry audit, CancellationToken cancellationToken);
}

/// <summary>Whether a tenant is let in: the allow-list as the authentication middleware asks it, once per request.</summary>
public interface ITenantDirectory
{
    /// <summary>The tenant's status, or null when it was never onboarded.</summary>
    Task<TenantStatus?> StatusAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Drops what this instance remembers of the tenant (after a change, so it applies here at once).</summary>
    void Forget(string tenantId);
}
