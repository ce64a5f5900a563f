using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Privacy;

/// <summary>The personal data routes, one function per route: bindings and mapping only.</summary>
public sealed class PersonalDataFunctions(PersonalDataHandler handler)
{
    [Function("MyData")]
    public Task<IResult> MyData(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.MyData)] HttpRequest request, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, get: () => Export(request, subject: null, cancellationToken));

    [Function("CustomerData")]
    [AdminOnly("GET")]
    public Task<IResult> CustomerData(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.CustomerData)] HttpRequest request, string subject, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, get: () => Export(request, subject, cancellationToken));

    [Function("CustomerErasure")]
    [AdminOnly("POST")]
    public Task<IResult> CustomerErasure(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.CustomerErasure)] HttpRequest request, string subject, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, post: () => HttpEndpoint.HandleAsync(
            () => handler.EraseAsync(request.RequireCaller(), subject, cancellationToken),
            erased => Results.Json(erased, ApiJson.Options)));

    private Task<IResult> Export(HttpRequest request, string? subject, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            () => handler.ExportAsync(request.RequireCaller(), subject, cancellationToken),
            export => Results.Json(export, ApiJson.Options));
}
