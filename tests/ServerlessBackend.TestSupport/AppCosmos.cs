using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moq;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Tests.Support;

/// <summary>The app's own Cosmos registration (<c>AddCosmos</c>, as Program.cs makes it) from the given app settings.</summary>
public static class AppCosmos
{
    public static ServiceProvider Compose(string environment, IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(s => AppSettings.ConfigurationKey(s.Key), s => s.Value))
            .Build();
        var host = Mock.Of<IHostEnvironment>(e => e.EnvironmentName == environment);
        var services = new ServiceCollection();
        services.AddSingleton(host);
        services.AddSingleton(Mock.Of<TokenCredential>());
        services.AddCosmos(configuration, host);
        return services.BuildServiceProvider();
    }

    /// <summary>Development settings for a local server at <paramref name="endpoint"/>, with or without the certificate opt-in.</summary>
    public static ServiceProvider ComposeLocal(Uri endpoint, string databaseName, bool allowUntrustedCertificate) =>
        Compose(Environments.Development, new Dictionary<string, string?>
        {
            [AppSettings.CosmosAccountEndpoint] = endpoint.ToString(),
            [AppSettings.CosmosDatabaseName] = databaseName,
            [AppSettings.CosmosAllowUntrustedLoopbackCertificate] = allowUntrustedCertificate ? "true" : null,
        });

    /// <summary>Runs the registered hosted services' start, as the host does: against a local server, the container bootstrap.</summary>
    public static async Task StartAsync(IServiceProvider provider, CancellationToken cancellationToken)
    {
        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(cancellationToken);
        }
    }
}
