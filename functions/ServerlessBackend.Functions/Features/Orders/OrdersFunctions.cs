using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>The order routes: bindings and mapping only; the handlers hold the rules.</summary>
public sealed class OrdersFunctions(PlaceOrderHandler place, ReadOrdersHandler read, CancelOrderHandler cancel)
{
    [Function("PlaceOrder")]
    public async Task<IResult> Place(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/orders")] HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        var key = IdempotencyKey.Parse(request.Headers[IdempotencyKey.Header]);
        var body = await JsonBody.ReadAsync<PlaceOrderRequest>(request, cancellationToken);
        if ((key.Error ?? body.Error) is { } invalid)
        {
            return ApiProblems.From(invalid);
        }

        var outcome = await place.HandleAsync(caller, key.Value!, body.Value!, cancellationToken);
        return ApiProblems.Map(outcome, placed => OrderResponse.Placed(request.HttpContext.Response, placed));
    }

    [Function("ListOrders")]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/orders")] HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        var page = PageRequest.Parse(request.Query);
        if (page.Error is { } invalid)
        {
            return ApiProblems.From(invalid);
        }

        var status = request.Query.TryGetValue("status", out var value) ? value.ToString() : null;
        var outcome = await read.ListAsync(caller, page.Value!, status, cancellationToken);
        return ApiProblems.Map(outcome, orders => Results.Json(PageResponse.From(orders, OrderResponse.From), ApiJson.Options));
    }

    [Function("GetOrder")]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/orders/{orderId}")] HttpRequest request, string orderId, CancellationToken cancellationToken)
    {
        var outcome = await read.GetAsync(request.RequireCaller(), orderId, cancellationToken);
        return ApiProblems.Map(outcome, order => OrderResponse.Result(request.HttpContext.Response, order));
    }

    [Function("CancelOrder")]
    public async Task<IResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/orders/{orderId}/cancel")] HttpRequest request, string orderId, CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        var ifMatch = Preconditions.OptionalIfMatch(request);
        if (ifMatch.Error is { } invalid)
        {
            return ApiProblems.From(invalid);
        }

        var outcome = await cancel.HandleAsync(caller, orderId, ifMatch.Value, cancellationToken);
        return ApiProblems.Map(outcome, order => OrderResponse.Result(request.HttpContext.Response, order));
    }
}
