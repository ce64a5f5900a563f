using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Operations;

/// <summary>Admin routes over the subscriptions' dead-letter queues: bindings and mapping only. A customer is refused (403) before the body is read.</summary>
public sealed class DeadLetterFunctions(DeadLetterHandler handler)
{
    [Function("ListDeadLetters")]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/admin/dead-letters/{subscription}")] HttpRequest request, string subscription, CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        var page = PageRequest.Parse(request.Query);
        if (page.Error is { } invalid)
        {
            return ApiProblems.From(invalid);
        }

        var outcome = await handler.ListAsync(caller, subscription, page.Value!, cancellationToken);
        return ApiProblems.Map(outcome, messages => Results.Json(PageResponse.From(messages, DeadLetterResponse.From), ApiJson.Options));
    }

    [Function("ReplayDeadLetters")]
    public async Task<IResult> Replay(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/dead-letters/{subscription}/replay")] HttpRequest request, string subscription, CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        if (CallerRules.RequireAdmin(caller) is { } forbidden)
        {
            return ApiProblems.From(forbidden);
        }

        var body = await JsonBody.ReadAsync<ReplayDeadLettersRequest>(request, cancellationToken);
        if (body.Error is { } invalid)
        {
            return ApiProblems.From(invalid);
        }

        var outcome = await handler.ReplayAsync(caller, subscription, body.Value!, cancellationToken);
        return ApiProblems.Map(outcome, result => Results.Json(result, ApiJson.Options));
    }
}
