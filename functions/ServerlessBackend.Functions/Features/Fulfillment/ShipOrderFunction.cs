using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>POST /api/v1/orders/{orderId}/ship (admin, If-Match): bindings and mapping only; a customer is refused before anything else.</summary>
public sealed class ShipOrderFunction(ShipOrderHandler handler)
{
    [Function("ShipOrder")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/orders/{orderId}/ship")] HttpRequest request, string orderId, CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        var ifMatch = Preconditions.RequireIfMatch(request);
        if ((CallerRules.RequireAdmin(caller) ?? ifMatch.Error) is { } invalid)
        {
            return ApiProblems.From(invalid);
        }

        var outcome = await handler.HandleAsync(caller, orderId, ifMatch.Value!, cancellationToken);
        return ApiProblems.Map(outcome, order => OrderResponse.Result(request.HttpContext.Response, order));
    }
}
