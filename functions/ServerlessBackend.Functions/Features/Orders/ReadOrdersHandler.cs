using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>
/// Reads orders: a customer sees only their own, an admin every order of the tenant. Anything else is
/// a 404, exactly like an id that does not exist, so existence never leaks.
/// </summary>
public sealed class ReadOrdersHandler(IOrderStore orders)
{
    public async Task<Outcome<Versioned<Order>>> GetAsync(Caller caller, string orderId, CancellationToken cancellationToken)
    {
        var order = await ReadVisibleAsync(orders, caller, orderId, cancellationToken);
        return order is null ? ApiError.NotFound("The order") : Outcome.Ok(order);
    }

    /// <summary>One refund of an order the caller may see (a 404 otherwise, like an unknown id).</summary>
    public async Task<Outcome<RefundResponse>> GetRefundAsync(Caller caller, string orderId, string refundId, CancellationToken cancellationToken)
    {
        var order = await ReadVisibleAsync(orders, caller, orderId, cancellationToken);
        return order?.Value.Refund(refundId) is { } refund ? Outcome.Ok(RefundResponse.From(orderId, refund)) : ApiError.NotFound("The refund");
    }

    /// <summary>Newest first. Customers list their own orders; admins the tenant's. Both may filter by status.</summary>
    public async Task<Outcome<Page<Order>>> ListAsync(Caller caller, PageRequest page, string? status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(page);
        OrderStatus? filter = null;
        if (status is not null)
        {
            var match = Enum.GetValues<OrderStatus>().Where(s => string.Equals(JsonNaming.EnumValue(s), status, StringComparison.Ordinal)).ToList();
            if (match.Count == 0)
            {
                return ApiError.Field("status", $"One of: {string.Join(", ", Enum.GetValues<OrderStatus>().Select(JsonNaming.EnumValue))}.");
            }

            filter = match[0];
        }

        var customer = caller.IsAdmin ? null : caller.UserId;
        var scope = ContinuationScope.Of("orders", caller.TenantId, customer, status);
        if (!ContinuationScope.TryOpen(scope, page.ContinuationToken, out var continuation))
        {
            return PageRequest.ForeignToken();
        }

        try
        {
            var listed = await orders.ListAsync(new OrderListQuery(caller.TenantId, customer, filter, page.PageSize, continuation), cancellationToken);
            return Outcome.Ok(listed with { ContinuationToken = ContinuationScope.Bind(scope, listed.ContinuationToken) });
        }
        catch (InvalidContinuationTokenException)
        {
            return PageRequest.ForeignToken();
        }
    }

    /// <summary>The order if it exists in the caller's tenant and the caller may see it; otherwise null.</summary>
    public static async Task<Versioned<Order>?> ReadVisibleAsync(IOrderStore orders, Caller caller, string orderId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(caller);
        if (!Order.IsWellFormedId(orderId))
        {
            return null;
        }

        var order = await orders.GetAsync(caller.TenantId, orderId, cancellationToken);
        return order is not null && (caller.IsAdmin || string.Equals(order.Value.CustomerId, caller.UserId, StringComparison.Ordinal)) ? order : null;
    }
}
