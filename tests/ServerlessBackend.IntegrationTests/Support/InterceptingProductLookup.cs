using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Catalog;

namespace ServerlessBackend.Tests.Support;

/// <summary>The real product lookup with a point where a test lets something happen right after an order attempt read the catalog.</summary>
public sealed class InterceptingProductLookup(CosmosContainers containers) : IProductLookup
{
    private readonly CosmosProductLookup _inner = new(containers);

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
}
