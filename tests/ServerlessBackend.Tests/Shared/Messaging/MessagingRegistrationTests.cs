using Azure.Core;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Tests.Shared.Messaging;

public sealed class MessagingRegistrationTests
{
    [Fact]
    public async Task One_client_from_the_identity_based_ServiceBus_setting_and_one_sender_for_the_orders_topic()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ServiceBus:fullyQualifiedNamespace"] = "contoso.servicebus.windows.net" })
            .Build();
        var credential = new Mock<TokenCredential>().Object;
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(credential);
        services.AddMessaging(configuration);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var sender = provider.GetRequiredService<ServiceBusSender>();

        Assert.Same(sender, provider.GetRequiredService<ServiceBusSender>());
        Assert.Same(credential, provider.GetRequiredService<TokenCredential>());
        Assert.Equal("contoso.servicebus.windows.net", sender.FullyQualifiedNamespace);
        Assert.Equal("orders", sender.EntityPath);
        Assert.Equal("contoso.servicebus.windows.net", provider.GetRequiredService<ServiceBusClient>().FullyQualifiedNamespace);
        Assert.IsType<ServiceBusOrderEventSender>(provider.GetRequiredService<IOrderEventSender>());
    }

    [Fact]
    public async Task Locally_a_ServiceBus_connection_string_for_the_emulator_is_used_instead()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ServiceBus"] = "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;",
            })
            .Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMessaging(configuration);
        await using var provider = services.BuildServiceProvider();

        var sender = provider.GetRequiredService<ServiceBusSender>();

        Assert.Equal("localhost", sender.FullyQualifiedNamespace);
        Assert.Equal("orders", sender.EntityPath);
    }
}
