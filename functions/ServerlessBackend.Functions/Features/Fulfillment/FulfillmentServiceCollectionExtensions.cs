using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Fulfillment;

public static class FulfillmentServiceCollectionExtensions
{
    /// <summary>Stock reservations and the handler of each fulfillment use case (<see cref="FulfillmentFunction"/> maps event types to them).</summary>
    public static IServiceCollection AddFulfillment(this IServiceCollection services)
    {
        services.AddSingleton<IStockStore, CosmosStockStore>();
        services.AddSingleton<ReserveStockHandler>();
        services.AddSingleton<ReleaseStockHandler>();
        services.AddSingleton<CommitStockHandler>();
        services.AddSingleton<RestockReturnHandler>();
        return services;
    }
}
