using Azure.Core;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moq;
using ServerlessBackend.Functions;
using ServerlessBackend.Functions.Shared.Hosting;

namespace ServerlessBackend.Tests.Support;

/// <summary>The app's own composition root (<see cref="ServerlessBackendApp.Compose"/>, as Program.cs runs it) from the given app settings.</summary>
public static class AppComposition
{
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
