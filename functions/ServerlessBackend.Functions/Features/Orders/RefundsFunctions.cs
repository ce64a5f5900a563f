using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>An order's refunds: an admin requests one (POST); the order's customer or an admin reads one (GET). Bindings and mapping only.</summary>
public sealed class RefundsFunctions(RequestRefundHandler request, ReadOrdersHandler read)
{
    [Function("OrderRefunds")]
    [AdminOnly("POST")]
    public Task<IResult> OrderRefunds(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.OrderRefunds)] HttpRequest request, string orderId, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, post: () => Request(request, orderId, cancellationToken));

    [Function("OrderRefund")]
    public Task<IResult> OrderRefund(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.OrderRefund)] HttpRequest request, string orderId, string refundId, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, get: () => Get(request, orderId, refundId, cancellationToken));

    private async Task<IResult> Request(HttpRequest httpRequest, string orderId, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            IdempotencyKey.Parse(httpRequest.Headers[IdempotencyKey.Header]),
            await JsonBody.ReadAsync<RefundRequest>(httpRequest, cancellationToken),
            (key, body) => request.HandleAsync(httpRequest.RequireCaller(), orderId, key, body, cancellationToken),
            requested => RefundResponse.Accepted(httpRequest.HttpContext.Response, requested));

    private Task<IResult> Get(HttpRequest httpRequest, string orderId, string refundId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            () => read.GetRefundAsync(httpRequest.RequireCaller(), orderId, refundId, cancellationToken),
            refund => Results.Json(refund, ApiJson.Options));
}
