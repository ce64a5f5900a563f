namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>Whether a tenant is let in: the allow-list as the authentication middleware asks it, once per request.</summary>
public interface ITenantDirectory
{
    /// <summary>The tenant's status, or null when it was never onboarded.</summary>
    Task<TenantStatus?> StatusAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Drops what this instance remembers of the tenant (after a change, so it applies here at once).</summary>
    void Forget(string tenantId);
}

public enum TenantStatus
{
    /// <summary>Onboarded: its callers are let in.</summary>
    Active,

    /// <summary>Onboarded, then suspended (offboarded) by an operator: its callers are refused, its data is kept.</summary>
    Suspended,
}
