using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Tenants;

/// <summary>The platform operator's routes over the tenant allow-list: bindings and mapping only.</summary>
public sealed class TenantsFunctions(TenantsHandler handler)
{
    [Function("GetTenant")]
    [OperatorOnly]
    public Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/operator/tenants/{tenantId}")] HttpRequest request, string tenantId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            () => handler.GetAsync(tenantId, cancellationToken),
            tenant => TenantResponse.Result(request.HttpContext.Response, tenant));

    [Function("PutTenant")]
    [OperatorOnly]
    public async Task<IResult> Put(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/operator/tenants/{tenantId}")] HttpRequest request, string tenantId, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            await JsonBody.ReadAsync<PutTenantRequest>(request, cancellationToken),
            body => handler.PutAsync(request.RequireCaller(), tenantId, body, cancellationToken),
            put => TenantResponse.Result(request.HttpContext.Response, put.Tenant, put.Created));
}
