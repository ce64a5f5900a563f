using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>An order as the API shows it: no tenant id, outbox, request hash or payment method.</summary>
public sealed record OrderResponse(
    string Id, OrderStatus Status, string CustomerId, string ContactEmail, IReadOnlyList<OrderLine> Lines, string Currency, decimal Total,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<StatusChange> StatusHistory, OrderPaymentResponse? Payment = null,
    IReadOnlyList<RefundResponse>? Refunds = null)
{
    public const string ReplayedHeader = Idempotency.ReplayedHeader;

    /// <summary>The order without its payment's client secret (lists, and anyone but the order's customer).</summary>
    public static OrderResponse From(Order order) => From(order, clientSecret: null);

    /// <summary>
    /// The order as <paramref name="caller"/> sees it: the client secret that completes a required payment action (3-D
    /// Secure) only for the order's own customer (never an admin of the tenant), and only while the action is required.
    /// </summary>
    public static OrderResponse For(Order order, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(caller);
        return From(order, ClientSecretFor(order, caller));
    }

    public static IResult Result(HttpResponse response, Versioned<Order> order, Caller caller, int statusCode = StatusCodes.Status200OK)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(caller);
        Preconditions.SetETag(response, order.ETag);
        var body = For(order.Value, caller);
        if (body.Payment?.ClientSecret is not null)
        {
            // A secret for this customer only: no cache keeps it.
            response.Headers.CacheControl = "no-store";
        }

        return Results.Json(body, ApiJson.Options, statusCode: statusCode);
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

    private static OrderResponse From(Order order, string? clientSecret)
    {
        ArgumentNullException.ThrowIfNull(order);
        var payment = order.Payment is { } p
            ? new OrderPaymentResponse(p.Status, MinorUnits.ToAmount(p.AmountMinor, p.Currency), p.Currency, clientSecret)
            : null;
        var refunds = order.Refunds.Count == 0 ? null : order.Refunds.Select(r => RefundResponse.From(order.Id, r)).ToList();
        return new(order.Id, order.Status, order.CustomerId, order.ContactEmail, order.Lines, order.Currency, order.Total, order.CreatedAt, order.UpdatedAt, order.StatusHistory, payment, refunds);
    }

    private static string? ClientSecretFor(Order order, Caller caller) =>
        order is { Status: OrderStatus.AwaitingPayment, Payment: { Status: PaymentStatus.ActionRequired } payment }
            && string.Equals(order.CustomerId, caller.UserId, StringComparison.Ordinal)
            ? payment.ClientSecret
            : null;
}

/// <summary>The order's payment as the API shows it: the amount in major units like the order total.</summary>
public sealed record OrderPaymentResponse(PaymentStatus Status, decimal Amount, string Currency, string? ClientSecret);
