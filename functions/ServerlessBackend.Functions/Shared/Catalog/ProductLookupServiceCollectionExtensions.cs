using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServerlessBackend.Functions.Shared.Catalog;

public static class ProductLookupServiceCollectionExtensions
{
    /// <summary>The products orders price from. A test may register its own first.</summary>
    public static IServiceCollection AddProductLookup(this IServiceCollection services)
    {
        services.TryAddSingleton<IProductLookup, CosmosProductLookup>();
        return services;
    }
}
