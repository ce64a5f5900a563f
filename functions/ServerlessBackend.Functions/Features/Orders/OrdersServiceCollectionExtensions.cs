using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Orders;

public static class OrdersServiceCollectionExtensions
{
    /// <summary>The orders API: store and handlers. IOutboxPublisher is registered by the messaging area.</summary>
    public static IServiceCollection AddOrders(this IServiceCollection services)
    {
        services.AddSingleton<IOrderStore, CosmosOrderStore>();
        return services;
    }
}
