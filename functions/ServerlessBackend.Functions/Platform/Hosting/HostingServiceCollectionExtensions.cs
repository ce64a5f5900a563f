using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Platform.Hosting;

public static class HostingServiceCollectionExtensions
{
    /// <summary>Cross-cutting services every feature relies on: time, JSON options.</summary>
    public static IServiceCollection AddServerlessBackendHosting(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
        return services;
    }
}
