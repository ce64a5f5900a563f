using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Audit;

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
