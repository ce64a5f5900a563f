using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Json;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Catalog;

namespace ServerlessBackend.Functions.Features.Catalog;

/// <summary>The catalog's products (partition key /tenantId; orders read them through <see cref="IProductLookup"/>); a new product document starts with an empty reservation ledger (<see cref="StockLedger"/>).</summary>
public sealed class CosmosProductStore(CosmosContainers containers) : IProductStore
{
    private Container Products => containers.Products;

    public Task<Versioned<Product>?> GetAsync(string tenantId, string productId, CancellationToken cancellationToken) =>
        CosmosErrors.ReadOrNull<Product>(Products, productId, tenantId, cancellationToken);

    public async Task<string> CreateAsync(Product product, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(product);
        var document = StockLedger.WithEmptyLedger(JsonSerializer.SerializeToNode(product, ApiJson.Options)!.AsObject(), product.CreatedAt);
        var batch = Products.CreateTransactionalBatch(new PartitionKey(product.TenantId))
            .CreateItem(document, NoContent)
            .CreateItem(audit, NoContent);
        using var response = await CosmosErrors.ExecuteBatchAsync(product.Id, batch, cancellationToken).ConfigureAwait(false);
        return response[0].ETag;
    }

    public async Task<Versioned<Product>> SetAsync(string tenantId, string productId, ProductFields fields, string ifMatch, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
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
        var batch = Products.CreateTransactionalBatch(new PartitionKey(tenantId))
            .PatchItem(productId, operations, new TransactionalBatchPatchItemRequestOptions { IfMatchEtag = ifMatch, EnableContentResponseOnWrite = true })
            .CreateItem(audit, NoContent);
        using var response = await CosmosErrors.ExecuteBatchAsync(productId, batch, cancellationToken).ConfigureAwait(false);
        var patched = response.GetOperationResultAtIndex<Product>(0);
        return new Versioned<Product>(patched.Resource, patched.ETag);
    }

    public Task<Page<Product>> ListAsync(ProductListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var definition = query.Active is { } active
            ? new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId AND c.active = @active").WithParameter("@active", active)
            : new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId AND IS_DEFINED(c.active)"); // products only: an audit entry has no active flag
        definition = definition.WithParameter("@tenantId", query.TenantId);
        return CosmosErrors.ReadPage<Product>(Products, definition, query.TenantId, query.PageSize, query.ContinuationToken, directExecution: false, cancellationToken);
    }

    private static TransactionalBatchItemRequestOptions NoContent { get; } = new() { EnableContentResponseOnWrite = false };

    private static void AddIfSet<T>(List<PatchOperation> operations, string path, T? value)
    {
        if (value is not null)
        {
            operations.Add(PatchOperation.Set(path, value));
        }
    }
}
