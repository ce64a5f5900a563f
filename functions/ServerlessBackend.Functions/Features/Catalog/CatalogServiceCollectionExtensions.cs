using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServerlessBackend.Functions.Features.Catalog;

public static class CatalogServiceCollectionExtensions
{
    /// <summary>The catalog API's handlers and its product store (a test may register its own store first).</summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.TryAddSingleton<IProductStore, CosmosProductStore>();
        services.AddSingleton<CreateProductHandler>();
        services.AddSingleton<ChangeProductHandler>();
        services.AddSingleton<ReadProductsHandler>();
        return services;
    }
}
