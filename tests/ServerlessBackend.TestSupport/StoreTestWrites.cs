using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Functions.Shared.Tenancy;
using ServerlessBackend.Functions.Features.Catalog;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// Store writes a test makes to set the scene (not the change under test): each goes through the store's own audited write
/// with a neutral entry (<see cref="AuditTrails.Entry"/>), or, for an order, without one, as the consumers write.
/// </summary>
public static class StoreTestWrites
{
    public static Task<string> CreateAsync(this IProductStore store, Product product, CancellationToken cancellationToken) =>
        store.CreateAsync(product, AuditTrails.Entry(product.TenantId, "product", product.Id), cancellationToken);

    public static Task<Versioned<Product>> SetAsync(this IProductStore store, string tenantId, string productId, ProductFields fields, string ifMatch, CancellationToken cancellationToken) =>
        store.SetAsync(tenantId, productId, fields, ifMatch, AuditTrails.Entry(tenantId, "product", productId), cancellationToken);

    public static Task<string> CreateAsync(this ITenantStore store, TenantRecord record, CancellationToken cancellationToken) =>
        store.CreateAsync(record, AuditTrails.Entry(record.TenantId, "tenant", record.TenantId), cancellationToken);

    public static Task<string> ReplaceAsync(this IOrderStore store, Order order, string ifMatch, CancellationToken cancellationToken) =>
        store.ReplaceAsync(order, ifMatch, audit: null, cancellationToken);
}
