using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Shared.Audit;

namespace ServerlessBackend.Functions.Shared.Tenancy;

public static class TenancyServiceCollectionExtensions
{
    /// <summary>
    /// The allow-list of tenants the authentication asks (<see cref="ITenantDirectory"/>); <paramref name="onboardAtFirstRequest"/>
    /// defaults to whether the development key is on (see <see cref="TenantDirectory"/>).
    /// </summary>
    public static IServiceCollection AddTenantDirectory(this IServiceCollection services, bool? onboardAtFirstRequest = null)
    {
        services.AddSingleton<ITenantStore, CosmosTenantStore>();
        services.AddSingleton<ITenantDirectory>(sp => new TenantDirectory(
            sp.GetRequiredService<ITenantStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TenantDirectory>>(), sp.GetRequiredService<AuditTrail>(),
            onboardAtFirstRequest ?? sp.GetRequiredService<IOptions<AuthOptions>>().Value.UseDevelopmentKey));
        return services;
    }
}
