using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Catalog;

namespace ServerlessBackend.Tests.Support;

/// <summary>The real product adapter with a point where a test lets something happen right after an order attempt read the catalog.</summary>
public sealed class InterceptingProductStore(CosmosContainers containers) : IProductStore
{
    private readonly CosmosProductStore _inner = new(containers);

    /// <summary>Runs after each catalog read of an order attempt, with the number of the read (1 for the first).</summary>
    public Func<int, Task>? AfterGetMany { get; set; }

    private int _reads;

    public async Task<IReadOnlyList<Product>> GetManyAsync(string tenantId, IReadOnlyCollection<string> productIds, CancellationToken cancellationToken)
    {
        var found = await _inner.GetManyAsync(tenantId, productIds, cancellationToken);
        if (AfterGetMany is { } after)
        {
            await after(Interlocked.Increment(ref _reads));
        }

        return found;
    }

    public Task<Versioned<Product>?> GetAsync(string tenantId, string productId, CancellationToken cancellationToken) => _inner.GetAsync(tenantId, productId, cancellationToken);

    public Task<string> CreateAsync(Product product, AuditEntry audit, CancellationToken cancellationToken) => _inner.CreateAsync(product, audit, cancellationToken);

    public Task<Versioned<Product>> SetAsync(string tenantId, string productId, ProductFields fields, string ifMatch, AuditEntry audit, CancellationToken cancellationToken) =>
        _inner.SetAsync(tenantId, productId, fields, ifMatch, audit, cancellationToken);

    public Task<Page<Product>> ListAsync(ProductListQuery query, CancellationToken cancellationToken) => _inner.ListAsync(query, cancellationToken);
}
