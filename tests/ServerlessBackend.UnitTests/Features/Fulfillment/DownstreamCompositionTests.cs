using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moq;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Features.Outbox;
using ServerlessBackend.Functions.Shared.Catalog;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Hosting;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.UnitTests.Features.Fulfillment;

/// <summary>The downstream areas' registrations, as Program.cs makes them, resolve every function class with Azure settings.</summary>
public sealed class DownstreamCompositionTests
{
    [Fact]
    public async Task Every_downstream_function_resolves_from_the_areas_registrations()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ServiceBus:fullyQualifiedNamespace"] = "contoso.servicebus.windows.net",
            ["Cosmos:AccountEndpoint"] = "https://contoso.documents.azure.com:443/",
            ["Cosmos:DatabaseName"] = "serverless-backend",
            ["Email:SmtpHost"] = "smtp.example.com",
            ["Email:SmtpPort"] = "587",
            ["Email:FromAddress"] = "shop@example.com",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        var host = Mock.Of<IHostEnvironment>(e => e.EnvironmentName == "Production");
        services.AddSingleton(host);
        services.AddSingleton(Mock.Of<TokenCredential>());
        services.AddServerlessBackendHosting(configuration);
        services.AddMessaging(configuration);
        services.AddEmail(configuration);
        services.AddCosmos(configuration, host);
        services.AddProductStore();
        services.AddOrderDocuments();
        services.AddOrders();
        services.AddOutbox();
        services.AddFulfillment();
        services.AddOperations();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.NotNull(ActivatorUtilities.CreateInstance<FulfillmentFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<EmailFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<OutboxRelayFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<DeadLetterFunctions>(provider));
        Assert.IsType<OrderOutbox>(provider.GetRequiredService<IOrderOutbox>());
        Assert.IsType<CosmosStockStore>(provider.GetRequiredService<IStockStore>());
        Assert.IsType<CosmosNotificationLog>(provider.GetRequiredService<INotificationLog>());
        Assert.IsType<ServiceBusDeadLetters>(provider.GetRequiredService<IDeadLetters>());
        Assert.Equal("shop@example.com", provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<EmailOptions>>().Value.FromAddress);
        Assert.Equal("serverless-backend", provider.GetRequiredService<CosmosContainers>().Database.Id);
    }
}
