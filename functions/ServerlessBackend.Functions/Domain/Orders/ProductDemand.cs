namespace ServerlessBackend.Functions.Domain.Orders;

/// <summary>What an order takes of one product: its lines of that product added up.</summary>
public sealed record ProductDemand(string ProductId, string Name, int Quantity)
{
    /// <summary>The order's demand per product, in a fixed order (by product id) so concurrent orders take products in the same sequence.</summary>
    public static IReadOnlyList<ProductDemand> Of(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return order.Lines
            .GroupBy(l => l.ProductId, StringComparer.Ordinal)
            .Select(g => new ProductDemand(g.Key, g.First().Name, g.Sum(l => l.Quantity)))
            .OrderBy(d => d.ProductId, StringComparer.Ordinal)
            .ToList();
    }
}
