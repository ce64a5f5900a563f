using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Catalog;

public static class CatalogServiceCollectionExtensions
{
    /// <summary>The catalog API's handlers (the product store is shared, registered by its own area).</summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddSingleton<CreateProductHandler>();
        services.AddSingleton<ChangeProductHandler>();
        services.AddSingleton<ReadProductsHandler>();
        return services;
    }
}
