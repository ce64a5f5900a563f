using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Orders;

public static class OrdersServiceCollectionExtensions
{
    /// <summary>The orders API: store and handlers. IOutboxPublisher is registered by the messaging area.</summary>
    public static IServiceCollection AddOrders(this IServiceCollection services)
    {
        services.AddSingleton<IOrderStore, CosmosOrderStore>();
        services.AddSingleton<AfterWritePublisher>();
        services.AddSingleton<PlaceOrderHandler>();
        services.AddSingleton<ReadOrdersHandler>();
        services.AddSingleton<CancelOrderHandler>();
        return services;
    }
}
