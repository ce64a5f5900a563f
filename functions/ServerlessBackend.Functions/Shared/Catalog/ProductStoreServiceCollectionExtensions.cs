using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServerlessBackend.Functions.Shared.Catalog;

public static class ProductStoreServiceCollectionExtensions
{
    /// <summary>The product store, shared by the catalog (reads and edits) and orders (pricing). A test may register its own first.</summary>
    public static IServiceCollection AddProductStore(this IServiceCollection services)
    {
        services.TryAddSingleton<IProductStore, CosmosProductStore>();
        return services;
    }
}
