using ServerlessBackend.Functions.Platform.Auth;

namespace ServerlessBackend.Functions.Shared.Tenancy;

/// <summary>
/// A tenant on the allow-list (tenants container, partition key /tenantId, one document per tenant with the fixed id
/// <see cref="DocumentId"/>, so any tenant id, even one a Cosmos id could not hold, is its own key). Its
/// <see cref="History"/> is the audit trail of its onboarding: every change adds an entry in the same write.
/// </summary>
public sealed record TenantRecord
{
    public const string DocumentId = "tenant";

    public string Id { get; init; } = DocumentId;

    public required string TenantId { get; init; }

    public required string DisplayName { get; init; }

    public required TenantStatus Status { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public IReadOnlyList<TenantChange> History { get; init; } = [];
}

/// <summary>One change of a tenant's record: when, by whom (the operator's subject in its directory), and what it became.</summary>
public sealed record TenantChange(DateTimeOffset At, string By, string Action, TenantStatus Status, string DisplayName);
