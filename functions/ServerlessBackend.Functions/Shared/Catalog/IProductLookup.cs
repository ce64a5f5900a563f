using ServerlessBackend.Functions.Domain.Catalog;

namespace ServerlessBackend.Functions.Shared.Catalog;

/// <summary>What orders read of the catalog: the products an order names, as stored (the catalog owns the writes).</summary>
public interface IProductLookup
{
    /// <summary>The products among <paramref name="productIds"/> that exist, in one single-partition query.</summary>
    Task<IReadOnlyList<Product>> GetManyAsync(string tenantId, IReadOnlyCollection<string> productIds, CancellationToken cancellationToken);
}
