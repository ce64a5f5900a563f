using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moq;
using ServerlessBackend.Functions.Features.Catalog;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Features;

/// <summary>The app's composition root, as Program.cs runs it, resolves every HTTP function and middleware.</summary>
public sealed class ApiCompositionTests
{
    [Theory]
    [InlineData("Production", "https://contoso.documents.azure.com:443/", false)]
    [InlineData("Development", "https://127.0.0.1:8081/", true)]
    public async Task Every_api_function_and_middleware_resolves(string environment, string cosmosEndpoint, bool developmentKey)
    {
        await using var provider = AppComposition.Compose(environment, AppComposition.AzureSettings(new Dictionary<string, string?>
        {
            [AppSettings.CosmosAccountEndpoint] = cosmosEndpoint,
            [AppSettings.AuthUseDevelopmentKey] = developmentKey ? "true" : null,
        }));

        Assert.NotNull(ActivatorUtilities.CreateInstance<CatalogFunctions>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<OrdersFunctions>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<ReadinessFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<AuthenticationMiddleware>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<ExceptionProblemsMiddleware>(provider));
        Assert.IsType<CosmosReadinessCheck>(Assert.Single(provider.GetServices<IReadinessCheck>()));
        var signing = provider.GetRequiredService<ISigningConfiguration>();
        Assert.True(developmentKey ? signing is DevelopmentSigningConfiguration : signing is OpenIdSigningConfiguration);
    }

    [Fact]
    public void Missing_auth_settings_stop_the_app_at_startup()
    {
        var configuration = new ConfigurationBuilder().Build();
        var host = Mock.Of<IHostEnvironment>(e => e.EnvironmentName == "Production");

        Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddHttpApi(configuration, host));
    }
}
