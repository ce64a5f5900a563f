using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Shared.Catalog;

/// <summary>Products (partition key /tenantId); a new product document starts with an empty reservation ledger (<see cref="StockLedger"/>).</summary>
public sealed class CosmosProductStore(CosmosContainers containers) : IProductStore
{
    private Container Products => containers.Products;

    public Task<Versioned<Product>?> GetAsync(string tenantId, string productId, CancellationToken cancellationToken) =>
        CosmosErrors.ReadOrNull<Product>(Products, productId, tenantId, cancellationToken);

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

    public Task<string> CreateAsync(Product product, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(product);
        return CosmosErrors.Translate(product.Id, async () =>
        {
            var document = StockLedger.WithEmptyLedger(JsonSerializer.SerializeToNode(product, ApiJson.Options)!.AsObject(), product.CreatedAt);
            var response = await Products.CreateItemAsync(document, new PartitionKey(product.TenantId), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken).ConfigureAwait(false);
            return response.ETag;
        });
    }

    public Task<Versioned<Product>> SetAsync(string tenantId, string productId, ProductFields fields, string ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return CosmosErrors.Translate(productId, async () =>
        {
            var operations = new List<PatchOperation> { PatchOperation.Set("/updatedAt", fields.UpdatedAt) };
            AddIfSet(operations, "/name", fields.Name);
            if (fields.SetDescription)
            {
                operations.Add(PatchOperation.Set("/description", fields.Description));
            }

            AddIfSet(operations, "/price", fields.Price);
            AddIfSet(operations, "/currency", fields.Currency);
            AddIfSet(operations, "/availableStock", fields.AvailableStock);
            AddIfSet(operations, "/active", fields.Active);
            var options = new PatchItemRequestOptions { IfMatchEtag = ifMatch, EnableContentResponseOnWrite = true };
            var response = await Products.PatchItemAsync<Product>(productId, new PartitionKey(tenantId), operations, options, cancellationToken).ConfigureAwait(false);
            return new Versioned<Product>(response.Resource, response.ETag);
        });
    }

    public Task<Page<Product>> ListAsync(ProductListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var definition = query.Active is { } active
            ? new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId AND c.active = @active").WithParameter("@active", active)
            : new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId");
        definition = definition.WithParameter("@tenantId", query.TenantId);
        return CosmosErrors.ReadPage<Product>(Products, definition, query.TenantId, query.PageSize, query.ContinuationToken, directExecution: false, cancellationToken);
    }

    private static void AddIfSet<T>(List<PatchOperation> operations, string path, T? value)
    {
        if (value is not null)
        {
            operations.Add(PatchOperation.Set(path, value));
        }
    }
}
