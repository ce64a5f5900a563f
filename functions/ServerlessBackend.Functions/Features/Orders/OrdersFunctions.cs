using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>The order routes: bindings and mapping only; the handlers hold the rules.</summary>
public sealed class OrdersFunctions(PlaceOrderHandler place, ReadOrdersHandler read, ChangeOrderStatusHandler change)
{
    [Function("PlaceOrder")]
    public async Task<IResult> Place(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/orders")] HttpRequest request, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            IdempotencyKey.Parse(request.Headers[IdempotencyKey.Header]),
            await JsonBody.ReadAsync<PlaceOrderRequest>(request, cancellationToken),
            (key, body) => place.HandleAsync(request.RequireCaller(), key, body, cancellationToken),
            placed => OrderResponse.Placed(request.HttpContext.Response, placed));

    [Function("ListOrders")]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/orders")] HttpRequest request, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            PageRequest.Parse(request.Query),
            page => read.ListAsync(request.RequireCaller(), page, request.Query.TryGetValue("status", out var status) ? status.ToString() : null, cancellationToken),
            orders => Results.Json(PageResponse.From(orders, OrderResponse.From), ApiJson.Options));

    [Function("GetOrder")]
    public Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/orders/{orderId}")] HttpRequest request, string orderId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            Preconditions.OptionalIfNoneMatch(request),
            _ => read.GetAsync(request.RequireCaller(), orderId, cancellationToken),
            (ifNoneMatch, order) => Preconditions.NotModifiedOr(
                request.HttpContext.Response, ifNoneMatch, order.ETag, () => OrderResponse.Result(request.HttpContext.Response, order, request.RequireCaller())));

    [Function("CancelOrder")]
    public Task<IResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/orders/{orderId}/cancel")] HttpRequest request, string orderId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            Preconditions.OptionalIfMatch(request),
            ifMatch => change.CancelAsync(request.RequireCaller(), orderId, ifMatch, cancellationToken),
            order => OrderResponse.Result(request.HttpContext.Response, order, request.RequireCaller()));

    [Function("ShipOrder")]
    [AdminOnly]
    public Task<IResult> Ship(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/orders/{orderId}/ship")] HttpRequest request, string orderId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            Preconditions.RequireIfMatch(request),
            ifMatch => change.ShipAsync(request.RequireCaller(), orderId, ifMatch, cancellationToken),
            order => OrderResponse.Result(request.HttpContext.Response, order, request.RequireCaller()));
}
