using System.Text.Json.Serialization;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Features.Tenants;

/// <summary>PUT body: what the tenant's record should say. No status means active (onboarded); suspended offboards it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PutTenantRequest(string? DisplayName, TenantStatus? Status)
{
    public const int MaxDisplayNameLength = 200;

    public FieldErrors Validate(string tenantId)
    {
        var errors = new FieldErrors();
        // The id the callers' tokens carry (a directory's tid, or the shop claim): the same rule as the token's tenant claim.
        errors.RequireText("tenantId", tenantId, AuthOptions.MaxIdentifierLength);
        errors.RequireText("displayName", DisplayName, MaxDisplayNameLength);
        return errors;
    }
}
