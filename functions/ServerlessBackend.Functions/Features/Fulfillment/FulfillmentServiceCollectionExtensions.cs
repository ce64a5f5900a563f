using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Fulfillment;

public static class FulfillmentServiceCollectionExtensions
{
    /// <summary>Stock reservations and the fulfillment handler.</summary>
    public static IServiceCollection AddFulfillment(this IServiceCollection services)
    {
        services.AddSingleton<IStockStore, CosmosStockStore>();
        services.AddSingleton<FulfillmentHandler>();
        return services;
    }
}
