using Azure.Core;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Functions.Platform.Cosmos;

public static class CosmosServiceCollectionExtensions
{
    /// <summary>The singleton CosmosClient, the containers and, against a local emulator only, the container bootstrap.</summary>
    /// <remarks>Refuses to start when the endpoint or the certificate opt-in break <see cref="CosmosClientFactory.Validate"/>.</remarks>
    public static IServiceCollection AddCosmos(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var endpoint = new Uri(configuration[AppSettings.ConfigurationKey(AppSettings.CosmosAccountEndpoint)]
            ?? throw new InvalidOperationException($"App setting {AppSettings.CosmosAccountEndpoint} is missing."));
        var databaseName = configuration[AppSettings.ConfigurationKey(AppSettings.CosmosDatabaseName)] ?? CosmosModel.DefaultDatabaseName;
        var allowUntrusted = configuration.GetValue<bool>(AppSettings.ConfigurationKey(AppSettings.CosmosAllowUntrustedLoopbackCertificate));
        var isDevelopment = environment.IsDevelopment();
        CosmosClientFactory.Validate(endpoint, isDevelopment, allowUntrusted);

        services.AddAppCredential();
        services.AddSingleton(sp => CosmosClientFactory.Create(
            endpoint, sp.GetRequiredService<TokenCredential>(), isDevelopment, allowUntrustedLoopbackCertificate: allowUntrusted));
        services.AddSingleton(sp => new CosmosContainers(sp.GetRequiredService<CosmosClient>(), databaseName));
        services.AddSingleton<IReadinessCheck, CosmosReadinessCheck>();
        if (endpoint.IsLoopback)
        {
            // Not through the app's CosmosClient: built at start only for this, it stayed in memory all the process's life.
            services.AddHostedService(_ => new LocalCosmosBootstrap(endpoint, databaseName, allowUntrusted));
        }

        return services;
    }

    private sealed class LocalCosmosBootstrap(Uri endpoint, string databaseName, bool allowUntrustedCertificate) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            CosmosBootstrap.EnsureCreatedAsync(endpoint, databaseName, allowUntrustedCertificate, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
