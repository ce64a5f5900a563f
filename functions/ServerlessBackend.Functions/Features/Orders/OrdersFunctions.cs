using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>The order routes, one function each serving all its methods: bindings and mapping only; the handlers hold the rules.</summary>
public sealed class OrdersFunctions(PlaceOrderHandler place, ReadOrdersHandler read, ChangeOrderStatusHandler change)
{
    [Function("Orders")]
    public Task<IResult> Orders(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.Orders)] HttpRequest request, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, get: () => List(request, cancellationToken), post: () => Place(request, cancellationToken));

    [Function("Order")]
    public Task<IResult> Order(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.Order)] HttpRequest request, string orderId, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, get: () => Get(request, orderId, cancellationToken));

    [Function("OrderCancellation")]
    public Task<IResult> OrderCancellation(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.OrderCancellation)] HttpRequest request, string orderId, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, post: () => Cancel(request, orderId, cancellationToken));

    [Function("OrderShipment")]
    [AdminOnly("POST")]
    public Task<IResult> OrderShipment(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.OrderShipment)] HttpRequest request, string orderId, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, post: () => Ship(request, orderId, cancellationToken));

    private async Task<IResult> Place(HttpRequest request, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            IdempotencyKey.Parse(request.Headers[IdempotencyKey.Header]),
            await JsonBody.ReadAsync<PlaceOrderRequest>(request, cancellationToken),
            (key, body) => place.HandleAsync(request.RequireCaller(), key, body, cancellationToken),
            placed => OrderResponse.Placed(request.HttpContext.Response, placed));

    private Task<IResult> List(HttpRequest request, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            PageRequest.Parse(request.Query),
            page => read.ListAsync(request.RequireCaller(), page, request.Query.TryGetValue("status", out var status) ? status.ToString() : null, cancellationToken),
            orders => Results.Json(PageResponse.From(orders, OrderResponse.From), ApiJson.Options));

    private Task<IResult> Get(HttpRequest request, string orderId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            Preconditions.OptionalIfNoneMatch(request),
            _ => read.GetAsync(request.RequireCaller(), orderId, cancellationToken),
            (ifNoneMatch, order) => Preconditions.NotModifiedOr(
                request.HttpContext.Response, ifNoneMatch, order.ETag, () => OrderResponse.Result(request.HttpContext.Response, order, request.RequireCaller())));

    private Task<IResult> Cancel(HttpRequest request, string orderId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            Preconditions.OptionalIfMatch(request),
            ifMatch => change.CancelAsync(request.RequireCaller(), orderId, ifMatch, cancellationToken),
            order => OrderResponse.Result(request.HttpContext.Response, order, request.RequireCaller()));

    private Task<IResult> Ship(HttpRequest request, string orderId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            Preconditions.RequireIfMatch(request),
            ifMatch => change.ShipAsync(request.RequireCaller(), orderId, ifMatch, cancellationToken),
            order => OrderResponse.Result(request.HttpContext.Response, order, request.RequireCaller()));
}
