using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>Who a route lets in, declared on its function: any onboarded tenant's caller, its admins only, or operators only.</summary>
public enum RouteAccess
{
    Tenant,
    Admin,
    Operator,
}

/// <summary>
/// Turns a validated token into the <see cref="Caller"/> a route admits, or the 403 saying why not, in this order: an
/// operator route wants the operator role from the operator's directory; any other route a usable tenant and subject, a
/// tenant that is onboarded and not suspended (the allow-list, <see cref="ITenantDirectory"/>), a user or an application
/// holding the admin role (an app-only token acts only through app roles), and the admin role where the route asks it.
/// </summary>
public sealed class CallerAdmission(ITenantDirectory tenants, IOptions<AuthOptions> options)
{
    /// <summary>The problem type of a tenant that is not (or no longer) onboarded, so a client can tell it from other 403s.</summary>
    public const string NotOnboardedType = "urn:serverless-backend:problem:tenant-not-onboarded";

    private readonly AuthOptions _options = options.Value;

    public async Task<Outcome<Caller>> AdmitAsync(TokenIdentity identity, RouteAccess access, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (access == RouteAccess.Operator)
        {
            return Operator(identity);
        }

        if (identity.TenantId is not { } tenant || identity.Subject is not { } subject)
        {
            return new ApiError(ProblemKind.Forbidden, $"The token lacks a usable '{_options.TenantClaim}' or '{_options.CustomerClaim}' claim: each must be one JSON string of printable characters{(_options.TenantClaimPrefix.Length > 0 ? $", and exactly one '{_options.TenantClaim}' value must start with '{_options.TenantClaimPrefix}'" : "")}.");
        }

        switch (await tenants.StatusAsync(tenant, cancellationToken))
        {
            case null:
                return new ApiError(ProblemKind.Forbidden, $"Tenant '{tenant}' is not onboarded: the platform operator onboards a tenant (PUT /api/v1/operator/tenants/{{tenantId}}) before its callers are let in.") { Type = NotOnboardedType };
            case TenantStatus.Suspended:
                return new ApiError(ProblemKind.Forbidden, $"Tenant '{tenant}' is suspended (offboarded) by the platform operator: its callers are not let in until it is onboarded again.") { Type = NotOnboardedType };
        }

        if (identity.IsApplication && !identity.IsAdmin)
        {
            return new ApiError(ProblemKind.Forbidden, $"An application token (no signed-in user) acts only through an app role: it needs '{AuthOptions.AdminRole}'.");
        }

        var caller = new Caller(tenant, subject, identity.Email, identity.IsAdmin, identity.IsApplication);
        return access == RouteAccess.Admin && CallerRules.RequireAdmin(caller) is { } notAdmin ? notAdmin : Outcome.Ok(caller);
    }

    private Outcome<Caller> Operator(TokenIdentity identity) =>
        identity.IsOperator && identity.Subject is { } subject && identity.DirectoryId is { } directory
        && _options.OperatorDirectoryId.Length > 0 && string.Equals(directory, _options.OperatorDirectoryId, StringComparison.OrdinalIgnoreCase)
            ? Outcome.Ok(new Caller(directory, subject, identity.Email, IsAdmin: false, identity.IsApplication, IsOperator: true))
            : new ApiError(ProblemKind.Forbidden, $"Only a platform operator can do this: the '{AuthOptions.OperatorRole}' app role in a token from the operator's own directory.");
}
