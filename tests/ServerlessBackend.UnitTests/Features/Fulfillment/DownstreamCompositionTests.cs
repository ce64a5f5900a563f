using Microsoft.Extensions.DependencyInjection;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Features.Outbox;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Hosting;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Features.Fulfillment;

/// <summary>The app's composition root, as Program.cs runs it, resolves every downstream function class with Azure settings.</summary>
public sealed class DownstreamCompositionTests
{
    [Fact]
    public async Task Every_downstream_function_resolves_from_the_areas_registrations()
    {
        await using var provider = AppComposition.Compose("Production", new Dictionary<string, string?>
        {
            [AppSettings.ServiceBusNamespace] = "contoso.servicebus.windows.net",
            [AppSettings.CosmosAccountEndpoint] = "https://contoso.documents.azure.com:443/",
            [AppSettings.CosmosDatabaseName] = "serverless-backend",
            [AppSettings.AuthAuthority] = "https://login.microsoftonline.com/contoso/v2.0",
            [AppSettings.AuthAudience] = "api://serverless-backend",
            [AppSettings.EmailSmtpHost] = "smtp.example.com",
            [AppSettings.EmailSmtpPort] = "587",
            [AppSettings.EmailFromAddress] = "shop@example.com",
        });

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
