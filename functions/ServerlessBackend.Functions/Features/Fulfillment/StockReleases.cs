using ServerlessBackend.Functions.Domain.Orders;

namespace ServerlessBackend.Functions.Features.Fulfillment;

public static class StockReleases
{
    /// <summary>Gives the order's reservation of each product of <paramref name="lines"/> back to stock (one it holds none of is passed over).</summary>
    public static async Task ReleaseAsync(this IStockStore stock, Order order, IEnumerable<ProductDemand> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stock);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(lines);
        foreach (var line in lines)
        {
            await stock.ReleaseAsync(order.TenantId, line.ProductId, order.Id, line.Quantity, cancellationToken);
        }
    }
}
