using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Fulfillment;

public static class FulfillmentServiceCollectionExtensions
{
    /// <summary>Stock reservations, the fulfillment handler and the admin's ship operation.</summary>
    public static IServiceCollection AddFulfillment(this IServiceCollection services)
    {
        services.AddSingleton<IStockStore, CosmosStockStore>();
        services.AddSingleton<FulfillmentHandler>();
        services.AddSingleton<ShipOrderHandler>();
        return services;
    }
}
