using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Tenants;

public static class TenantsServiceCollectionExtensions
{
    /// <summary>The operator routes over the tenant allow-list (the store and the directory come with AddHttpApi).</summary>
    public static IServiceCollection AddTenants(this IServiceCollection services)
    {
        services.AddSingleton<TenantsHandler>();
        return services;
    }
}
