using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Features.Outbox;
using ServerlessBackend.Functions.Features.Payments;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;
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
        await using var provider = AppComposition.Compose("Production", AppComposition.AzureSettings());

        Assert.NotNull(ActivatorUtilities.CreateInstance<FulfillmentFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<PaymentFunction>(provider));
        Assert.IsType<LocalPaymentProvider>(provider.GetRequiredService<IPaymentProvider>());
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

    [Theory]
    [InlineData("Development", null, true)]
    [InlineData("Development", "local", true)]
    [InlineData("Production", "local", true)]
    [InlineData("Production", null, false)]
    [InlineData("Production", "paypal", false)]
    public void The_payment_provider_comes_from_the_setting_and_only_development_defaults_to_the_local_one(string environment, string? setting, bool starts)
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AppSettings.ConfigurationKey(AppSettings.PaymentsProvider)] = setting })
            .Build();
        var host = Moq.Mock.Of<Microsoft.Extensions.Hosting.IHostEnvironment>(e => e.EnvironmentName == environment);

        if (starts)
        {
            services.AddPayments(configuration, host);
            Assert.Contains(services, d => d.ServiceType == typeof(IPaymentProvider) && d.ImplementationType == typeof(LocalPaymentProvider));
        }
        else
        {
            var error = Assert.Throws<InvalidOperationException>(() => { services.AddPayments(configuration, host); });
            Assert.Contains("Payments__Provider", error.Message, StringComparison.Ordinal);
        }
    }
}
