using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessBackend.Functions.Features.Catalog;

namespace ServerlessBackend.Functions.Features.Orders;

public static class OrdersServiceCollectionExtensions
{
    /// <summary>The orders API: store and handlers. IOutboxPublisher is registered by the messaging area.</summary>
    public static IServiceCollection AddOrders(this IServiceCollection services)
    {
        services.TryAddSingleton<IOrderStore, CosmosOrderStore>();
        // Placing an order prices it from the catalog.
        services.TryAddSingleton<IProductStore, CosmosProductStore>();
        services.AddSingleton<AfterWritePublisher>();
        services.AddSingleton<PlaceOrderHandler>();
        services.AddSingleton<ReadOrdersHandler>();
        services.AddSingleton<CancelOrderHandler>();
        return services;
    }
}
