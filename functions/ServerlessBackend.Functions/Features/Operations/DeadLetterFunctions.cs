using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Operations;

/// <summary>Admin routes over the subscriptions' dead-letter queues: bindings and mapping only.</summary>
public sealed class DeadLetterFunctions(DeadLetterHandler handler)
{
    [Function("ListDeadLetters")]
    [AdminOnly]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/admin/dead-letters/{subscription}")] HttpRequest request, string subscription, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            PageRequest.Parse(request.Query),
            page => handler.ListAsync(request.RequireCaller(), subscription, page, cancellationToken),
            messages => Results.Json(PageResponse.From(messages, DeadLetterResponse.From), ApiJson.Options));

    [Function("ReplayDeadLetters")]
    [AdminOnly]
    public async Task<IResult> Replay(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/dead-letters/{subscription}/replay")] HttpRequest request, string subscription, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            await JsonBody.ReadAsync<ReplayDeadLettersRequest>(request, cancellationToken),
            body => handler.ReplayAsync(request.RequireCaller(), subscription, body, cancellationToken),
            result => Results.Json(result, ApiJson.Options));
}
