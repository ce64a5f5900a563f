using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;
using ServerlessBackend.Functions.Shared.Tenancy;

namespace ServerlessBackend.Functions.Features.Tenants;

public sealed record TenantResponse(string Id, string DisplayName, TenantStatus Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<TenantChange> History)
{
    public static string Location(string tenantId) => $"/api/v1/operator/tenants/{Uri.EscapeDataString(tenantId)}";

    public static TenantResponse From(TenantRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.TenantId, record.DisplayName, record.Status, record.CreatedAt, record.UpdatedAt, record.History);
    }

    /// <summary>200 with the record and its ETag, or 201 with Location when the PUT onboarded the tenant.</summary>
    public static IResult Result(HttpResponse response, Versioned<TenantRecord> tenant, bool created = false)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(tenant);
        Preconditions.SetETag(response, tenant.ETag);
        if (created)
        {
            response.Headers.Location = Location(tenant.Value.TenantId);
        }

        return Results.Json(From(tenant.Value), ApiJson.Options, statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }
}
