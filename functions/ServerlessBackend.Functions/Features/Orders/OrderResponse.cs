using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>An order as the API shows it: no tenant id, outbox or request hash.</summary>
public sealed record OrderResponse(
    string Id, OrderStatus Status, string CustomerId, string ContactEmail, IReadOnlyList<OrderLine> Lines, string Currency, decimal Total,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<StatusChange> StatusHistory)
{
    public const string ReplayedHeader = Idempotency.ReplayedHeader;

    public static OrderResponse From(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new(order.Id, order.Status, order.CustomerId, order.ContactEmail, order.Lines, order.Currency, order.Total, order.CreatedAt, order.UpdatedAt, order.StatusHistory);
    }

    public static IResult Result(HttpResponse response, Versioned<Order> order, int statusCode = StatusCodes.Status200OK)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(order);
        Preconditions.SetETag(response, order.ETag);
        return Results.Json(From(order.Value), ApiJson.Options, statusCode: statusCode);
    }

    /// <summary>201 with Location; a replayed create says so in Idempotent-Replayed.</summary>
    public static IResult Placed(HttpResponse response, PlacedOrder placed)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(placed);
        response.Headers.Location = $"/api/v1/orders/{placed.Order.Id}";
        if (placed.Replayed)
        {
            response.Headers[ReplayedHeader] = "true";
        }

        if (placed.ETag is not null)
        {
            Preconditions.SetETag(response, placed.ETag);
        }

        return Results.Json(From(placed.Order), ApiJson.Options, statusCode: StatusCodes.Status201Created);
    }
}
