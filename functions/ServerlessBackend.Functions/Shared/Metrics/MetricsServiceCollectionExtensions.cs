using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServerlessBackend.Functions.Shared.Metrics;

public static class MetricsServiceCollectionExtensions
{
    /// <summary>The app's instruments (<see cref="AppMetrics"/>) over the host's meter factory (added if the host has none).</summary>
    public static IServiceCollection AddAppMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<AppMetrics>();
        return services;
    }
}
