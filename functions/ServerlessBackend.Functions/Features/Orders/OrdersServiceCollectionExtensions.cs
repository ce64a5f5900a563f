using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Orders;

public static class OrdersServiceCollectionExtensions
{
    /// <summary>The orders API's handlers (the order documents and the product store are shared, registered by their own areas).</summary>
    public static IServiceCollection AddOrders(this IServiceCollection services)
    {
        services.AddSingleton<PlaceOrderHandler>();
        services.AddSingleton<ReadOrdersHandler>();
        services.AddSingleton<ChangeOrderStatusHandler>();
        services.AddSingleton<RequestRefundHandler>();
        return services;
    }
}
