using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServerlessBackend.Functions.Shared.Orders;

public static class OrderDocumentsServiceCollectionExtensions
{
    /// <summary>
    /// What every feature that touches orders shares: the store, the outbox (publish and mark) and the
    /// status transitions. A test may register its own store first.
    /// </summary>
    public static IServiceCollection AddOrderDocuments(this IServiceCollection services)
    {
        services.TryAddSingleton<IOrderStore, CosmosOrderStore>();
        services.TryAddSingleton<IOrderOutbox, OrderOutbox>();
        services.AddSingleton<OrderTransitions>();
        return services;
    }
}
