using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServerlessBackend.Functions.Features.Catalog;

public static class CatalogServiceCollectionExtensions
{
    /// <summary>The catalog API: store and handlers.</summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.TryAddSingleton<IProductStore, CosmosProductStore>();
        services.AddSingleton<CreateProductHandler>();
        services.AddSingleton<ChangeProductHandler>();
        services.AddSingleton<ReadProductsHandler>();
        return services;
    }
}
