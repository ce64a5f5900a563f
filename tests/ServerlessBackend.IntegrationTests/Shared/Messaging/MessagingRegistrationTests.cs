using System.Net;
using System.Net.Sockets;
using Azure.Core;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.IntegrationTests.Shared.Messaging;

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
        // The outbox publishes through that one sender: messaging gives it everything but the order store.
        Assert.NotNull(ActivatorUtilities.CreateInstance<OrderOutbox>(provider, Mock.Of<IOrderStore>()));
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

    [Theory]
    [InlineData("fullyQualifiedNamespace", "localhost", true)]
    [InlineData("fullyQualifiedNamespace", "127.0.0.1", true)]
    [InlineData("fullyQualifiedNamespace", "contoso.servicebus.windows.net", false)]
    [InlineData("", "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;", true)]
    [InlineData("", "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=x", false)]
    public void A_namespace_is_local_when_it_is_the_emulator_or_loopback(string key, string value, bool local)
    {
        var setting = key.Length == 0 ? "ServiceBus" : $"ServiceBus:{key}";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [setting] = value }).Build();

        Assert.Equal(local, MessagingServiceCollectionExtensions.IsLocal(configuration.GetSection("ServiceBus")));
    }

    [Fact]
    public async Task Against_a_local_namespace_a_failed_send_is_not_retried()
    {
        using var broken = new TcpListener(IPAddress.Loopback, 0);
        broken.Start();
        var accepted = 0;
        using var stop = new CancellationTokenSource();
        var acceptor = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var socket = await broken.AcceptSocketAsync(stop.Token);
                Interlocked.Increment(ref accepted);
            }
        });
        var port = ((IPEndPoint)broken.LocalEndpoint).Port;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ServiceBus"] = $"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;",
            })
            .Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMessaging(configuration);
        await using var provider = services.BuildServiceProvider();

        await Assert.ThrowsAnyAsync<Exception>(() => provider.GetRequiredService<ServiceBusSender>().SendMessageAsync(new ServiceBusMessage("x")));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => acceptor);

        Assert.Equal(1, accepted);
    }
}
