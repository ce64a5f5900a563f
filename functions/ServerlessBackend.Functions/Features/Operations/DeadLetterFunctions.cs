using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Operations;

/// <summary>Admin routes over the subscriptions' dead-letter queues: bindings and mapping only.</summary>
public sealed class DeadLetterFunctions(DeadLetterHandler handler)
{
    [Function("DeadLetters")]
    [AdminOnly("GET")]
    public Task<IResult> DeadLetters(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.DeadLetters)] HttpRequest request, string subscription, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, get: () => List(request, subscription, cancellationToken));

    [Function("DeadLetterReplay")]
    [AdminOnly("POST")]
    public Task<IResult> DeadLetterReplay(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.DeadLetterReplay)] HttpRequest request, string subscription, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, post: () => Replay(request, subscription, cancellationToken));

    private Task<IResult> List(HttpRequest request, string subscription, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            PageRequest.Parse(request.Query),
            page => handler.ListAsync(request.RequireCaller(), subscription, page, cancellationToken),
            messages => Results.Json(PageResponse.From(messages, DeadLetterResponse.From), ApiJson.Options));

    private async Task<IResult> Replay(HttpRequest request, string subscription, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            await JsonBody.ReadAsync<ReplayDeadLettersRequest>(request, cancellationToken),
            body => handler.ReplayAsync(request.RequireCaller(), subscription, body, cancellationToken),
            result => Results.Json(result, ApiJson.Options));
}
