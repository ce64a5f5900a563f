using Azure.Core;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServerlessBackend.Functions.Shared.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// One <see cref="ServiceBusClient"/> (from the <c>ServiceBus</c> section, the same identity-based
    /// connection the triggers use: <c>ServiceBus__fullyQualifiedNamespace</c> plus the app's one
    /// <see cref="TokenCredential"/>), one sender for the orders topic, and the outbox publisher.
    /// </summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // The app's one credential (TryAdd: whichever area registers first, all share it).
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddAzureClients(clients =>
        {
            clients.AddServiceBusClient(configuration.GetSection(MessagingTopology.Connection))
                .ConfigureOptions(options =>
                {
                    // Same policy as the triggers' client in host.json: a few quick exponential retries,
                    // then the caller fails (HTTP: left to the relay; relay: retried on the next tick).
                    options.RetryOptions.Mode = ServiceBusRetryMode.Exponential;
                    options.RetryOptions.MaxRetries = 3;
                    options.RetryOptions.Delay = TimeSpan.FromSeconds(0.8);
                    options.RetryOptions.MaxDelay = TimeSpan.FromSeconds(10);
                    options.RetryOptions.TryTimeout = TimeSpan.FromSeconds(30);
                });
            clients.UseCredential(provider => provider.GetRequiredService<TokenCredential>());
        });
        services.AddSingleton(provider => provider.GetRequiredService<ServiceBusClient>().CreateSender(MessagingTopology.OrdersTopic));
        services.AddSingleton<IOrderEventSender, ServiceBusOrderEventSender>();
        services.AddSingleton<IDeadLetters, ServiceBusDeadLetters>();
        return services;
    }
}
