using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>A refund as the API shows it: the amount in major units like the order total; no request hash or provider id.</summary>
public sealed record RefundResponse(
    string Id, string OrderId, RefundStatus Status, decimal Amount, string Currency, IReadOnlyList<RefundLine> Lines, string? Reason,
    string? FailureCode, bool Restocked, IReadOnlyList<RefundChange> History)
{
    public static RefundResponse From(string orderId, OrderRefund refund)
    {
        ArgumentNullException.ThrowIfNull(refund);
        return new(
            refund.Id, orderId, refund.Status, MinorUnits.ToAmount(refund.AmountMinor, refund.Currency), refund.Currency, refund.Lines, refund.Reason,
            refund.FailureCode, refund.RestockedAt is not null, refund.History);
    }

    public static string Location(string orderId, string refundId) => $"/api/v1/orders/{orderId}/refunds/{refundId}";

    /// <summary>202 with the refund's Location: the provider is asked after the response; a replayed request says so in Idempotent-Replayed.</summary>
    public static IResult Accepted(HttpResponse response, RequestedRefund requested)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(requested);
        response.Headers.Location = Location(requested.OrderId, requested.Refund.Id);
        if (requested.Replayed)
        {
            response.Headers[Idempotency.ReplayedHeader] = "true";
        }

        return Results.Json(From(requested.OrderId, requested.Refund), ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
    }
}
