using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Functions.Shared.Catalog;

public sealed class CosmosProductLookup(CosmosContainers containers) : IProductLookup
{
    private Container Products => containers.Products;

    public Task<IReadOnlyList<Product>> GetManyAsync(string tenantId, IReadOnlyCollection<string> productIds, CancellationToken cancellationToken) =>
        CosmosErrors.Translate<IReadOnlyList<Product>>("products", async () =>
        {
            var definition = new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId AND ARRAY_CONTAINS(@ids, c.id)")
                .WithParameter("@tenantId", tenantId)
                .WithParameter("@ids", productIds);
            var options = new QueryRequestOptions { PartitionKey = new PartitionKey(tenantId), MaxItemCount = productIds.Count };
            using var iterator = Products.GetItemQueryIterator<Product>(definition, requestOptions: options);
            var found = new List<Product>();
            while (iterator.HasMoreResults)
            {
                found.AddRange(await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false));
            }

            return found;
        });
}
