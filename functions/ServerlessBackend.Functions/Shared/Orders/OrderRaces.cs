using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Functions.Shared.Orders;

/// <summary>The order's side of <see cref="ETagRaces"/>: reading it again after a lost race.</summary>
public static class OrderRaces
{
    /// <summary>The order as it stands now, read again after a lost race; one that is gone meanwhile is an error (retried), not a poison message.</summary>
    public static async Task<Versioned<Order>> RereadAsync(this IOrderStore orders, Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(order);
        return await orders.GetAsync(order.TenantId, order.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Order {order.TenantId}/{order.Id} disappeared while its payment was being recorded.");
    }
}
