using Azure.Core;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moq;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Hosting;

namespace ServerlessBackend.Tests.Shared.Cosmos;

/// <summary>Nothing creates Cosmos resources in Azure, and the emulator key never reaches a real account.</summary>
public sealed class CosmosSetupTests
{
    [Fact]
    public void An_azure_endpoint_gets_an_identity_client_and_no_bootstrap()
    {
        using var provider = Compose("https://contoso.documents.azure.com:443/", Environments.Production);

        var client = provider.GetRequiredService<CosmosClient>();

        Assert.Empty(provider.GetServices<IHostedService>());
        Assert.Equal(ConnectionMode.Direct, client.ClientOptions.ConnectionMode);
        Assert.IsType<CosmosJsonSerializer>(client.ClientOptions.Serializer);
        Assert.False(client.ClientOptions.EnableContentResponseOnWrite);
        Assert.Same(client, provider.GetRequiredService<CosmosClient>());
    }

    [Fact]
    public void A_loopback_endpoint_gets_the_local_bootstrap_in_development_and_is_refused_elsewhere()
    {
        using var development = Compose("https://127.0.0.1:8081/", Environments.Development);
        using var production = Compose("https://127.0.0.1:8081/", Environments.Production);

        Assert.Single(development.GetServices<IHostedService>());
        Assert.Equal(ConnectionMode.Gateway, development.GetRequiredService<CosmosClient>().ClientOptions.ConnectionMode);
        Assert.Throws<InvalidOperationException>(() => production.GetRequiredService<CosmosClient>());
    }

    [Fact]
    public async Task The_bootstrap_refuses_a_non_loopback_account()
    {
        using var client = new CosmosClient("https://contoso.documents.azure.com:443/", Mock.Of<TokenCredential>());

        await Assert.ThrowsAsync<InvalidOperationException>(() => CosmosBootstrap.EnsureCreatedAsync(client, "db", CancellationToken.None));
    }

    [Fact]
    public void Container_properties_come_from_CosmosModel()
    {
        var orders = CosmosBootstrap.Properties(CosmosModel.Orders);
        var notifications = CosmosBootstrap.Properties(CosmosModel.Notifications);

        Assert.Equal(("orders", "/tenantId"), (orders.Id, orders.PartitionKeyPath));
        Assert.Equal(["/lines/*", "/statusHistory/*", "/outbox/*"], orders.IndexingPolicy.ExcludedPaths.Select(p => p.Path));
        Assert.Equal(["/*"], orders.IndexingPolicy.IncludedPaths.Select(p => p.Path));
        Assert.Equal(
            [
                "/tenantId ASC, /createdAt DESC",
                "/tenantId ASC, /customerId ASC, /createdAt DESC",
                "/tenantId ASC, /status ASC, /createdAt DESC",
                "/tenantId ASC, /customerId ASC, /status ASC, /createdAt DESC",
            ],
            orders.IndexingPolicy.CompositeIndexes.Select(index => string.Join(", ", index.Select(p => $"{p.Path} {(p.Order == CompositePathSortOrder.Descending ? "DESC" : "ASC")}"))));
        Assert.Empty(notifications.IndexingPolicy.CompositeIndexes);
        Assert.Equal(30 * 24 * 3600, notifications.DefaultTimeToLive);
        Assert.Empty(notifications.IndexingPolicy.IncludedPaths);
    }

    [Theory]
    [InlineData(false, false, "ORDER BY c.tenantId ASC, c.createdAt DESC")]
    [InlineData(true, false, "ORDER BY c.tenantId ASC, c.customerId ASC, c.createdAt DESC")]
    [InlineData(false, true, "ORDER BY c.tenantId ASC, c.status ASC, c.createdAt DESC")]
    [InlineData(true, true, "ORDER BY c.tenantId ASC, c.customerId ASC, c.status ASC, c.createdAt DESC")]
    public void Each_orders_list_orders_by_its_equality_filters_first_then_newest_first(bool byCustomer, bool byStatus, string orderBy)
    {
        Assert.Equal(orderBy, CosmosModel.OrderLists.For(byCustomer, byStatus).OrderByClause("c"));
    }

    private static ServiceProvider Compose(string endpoint, string environment)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [AppSettings.ConfigurationKey(AppSettings.CosmosAccountEndpoint)] = endpoint,
            [AppSettings.ConfigurationKey(AppSettings.CosmosDatabaseName)] = "serverless-backend",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton(Mock.Of<IHostEnvironment>(e => e.EnvironmentName == environment));
        services.AddSingleton(Mock.Of<TokenCredential>());
        services.AddCosmos(configuration);
        return services.BuildServiceProvider();
    }
}
