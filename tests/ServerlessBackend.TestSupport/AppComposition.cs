using Azure.Core;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moq;
using ServerlessBackend.Functions;
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Tests.Support;

/// <summary>The app's own composition root (<see cref="ServerlessBackendApp.Compose"/>, as Program.cs runs it) from the given app settings.</summary>
public static class AppComposition
{
    /// <summary>The settings infra sets in Azure (with the local payment provider), then <paramref name="overrides"/>.</summary>
    public static Dictionary<string, string?> AzureSettings(IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [AppSettings.ServiceBusNamespace] = "contoso.servicebus.windows.net",
            [AppSettings.CosmosAccountEndpoint] = "https://contoso.documents.azure.com:443/",
            [AppSettings.CosmosDatabaseName] = "serverless-backend",
            [AppSettings.AuthAuthority] = "https://login.microsoftonline.com/contoso/v2.0",
            [AppSettings.AuthAudiences] = "api://serverless-backend",
            [AppSettings.AuthOperatorDirectoryId] = "contoso-operators",
            [AppSettings.EmailSmtpHost] = "smtp.example.com",
            [AppSettings.EmailSmtpPort] = "587",
            [AppSettings.EmailFromAddress] = "shop@example.com",
            [AppSettings.PaymentsProvider] = "local",
        };
        foreach (var (name, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[name] = value;
        }

        return settings;
    }

    public static ServiceProvider Compose(string environment, IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(s => AppSettings.ConfigurationKey(s.Key), s => s.Value))
            .Build();
        var host = Mock.Of<IHostEnvironment>(e => e.EnvironmentName == environment);
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(host);
        services.AddSingleton(Mock.Of<TokenCredential>());
        var worker = new Mock<IFunctionsWorkerApplicationBuilder>();
        worker.SetupGet(w => w.Services).Returns(services);
        worker.Setup(w => w.Use(It.IsAny<Func<FunctionExecutionDelegate, FunctionExecutionDelegate>>())).Returns(worker.Object);
        ServerlessBackendApp.Compose(worker.Object, configuration, host);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
