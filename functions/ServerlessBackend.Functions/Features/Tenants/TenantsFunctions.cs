using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Features.Tenants;

/// <summary>The platform operator's route over the tenant allow-list, serving all its methods: bindings and mapping only.</summary>
public sealed class TenantsFunctions(TenantsHandler handler)
{
    [Function("Tenant")]
    [OperatorOnly("GET", "PUT")]
    public Task<IResult> Tenant(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.Tenant)] HttpRequest request, string tenantId, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, get: () => Get(request, tenantId, cancellationToken), put: () => Put(request, tenantId, cancellationToken));

    private Task<IResult> Get(HttpRequest request, string tenantId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            () => handler.GetAsync(tenantId, cancellationToken),
            tenant => TenantResponse.Result(request.HttpContext.Response, tenant));

    private async Task<IResult> Put(HttpRequest request, string tenantId, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            await JsonBody.ReadAsync<PutTenantRequest>(request, cancellationToken),
            body => handler.PutAsync(request.RequireCaller(), tenantId, body, cancellationToken),
            put => TenantResponse.Result(request.HttpContext.Response, put.Tenant, put.Created));
}
