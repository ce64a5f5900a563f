using Azure.Core;
using Azure.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ServerlessBackend.Functions.Shared.Hosting;

namespace ServerlessBackend.Functions.Shared.Cosmos;

public static class CosmosServiceCollectionExtensions
{
    /// <summary>The singleton CosmosClient, the containers and, against a local emulator only, the container bootstrap.</summary>
    public static IServiceCollection AddCosmos(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var endpoint = configuration[AppSettings.ConfigurationKey(AppSettings.CosmosAccountEndpoint)]
            ?? throw new InvalidOperationException($"App setting {AppSettings.CosmosAccountEndpoint} is missing.");
        var databaseName = configuration[AppSettings.ConfigurationKey(AppSettings.CosmosDatabaseName)] ?? CosmosModel.DefaultDatabaseName;

        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddSingleton(sp => CosmosClientFactory.Create(
            new Uri(endpoint), sp.GetRequiredService<TokenCredential>(), sp.GetRequiredService<IHostEnvironment>().IsDevelopment()));
        services.AddSingleton(sp => new CosmosContainers(sp.GetRequiredService<CosmosClient>(), databaseName));
        services.AddSingleton<IReadinessCheck, CosmosReadinessCheck>();
        if (new Uri(endpoint).IsLoopback)
        {
            services.AddHostedService(sp => new LocalCosmosBootstrap(sp.GetRequiredService<CosmosClient>(), databaseName));
        }

        return services;
    }

    private sealed class LocalCosmosBootstrap(CosmosClient client, string databaseName) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => CosmosBootstrap.EnsureCreatedAsync(client, databaseName, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
