using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Audit;

/// <summary>The tenant's audit log (admin, read only): bindings and mapping only.</summary>
public sealed class AuditFunctions(ReadAuditHandler handler)
{
    [Function("AuditLog")]
    [AdminOnly("GET")]
    public Task<IResult> AuditLog(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.AuditLog)] HttpRequest request, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, get: () => List(request, cancellationToken));

    private Task<IResult> List(HttpRequest request, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            PageRequest.Parse(request.Query),
            page => handler.ListAsync(request.RequireCaller(), page, request.Query, cancellationToken),
            entries => Results.Json(PageResponse.From(entries, AuditEntryResponse.From), ApiJson.Options));
}
