using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Catalog;

public static class CatalogServiceCollectionExtensions
{
    /// <summary>The catalog API: store and handlers.</summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddSingleton<IProductStore, CosmosProductStore>();
        services.AddSingleton<CreateProductHandler>();
        services.AddSingleton<ChangeProductHandler>();
        services.AddSingleton<ReadProductsHandler>();
        return services;
    }
}
