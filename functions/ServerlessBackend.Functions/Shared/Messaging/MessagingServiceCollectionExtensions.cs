using System.Net;
using Azure.Core;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Functions.Shared.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>The logger category (and prefix) of the Service Bus SDK's forwarded events.</summary>
    public const string ServiceBusLogCategory = "Azure.Messaging.ServiceBus";

    /// <summary>
    /// One <see cref="ServiceBusClient"/> (from the <c>ServiceBus</c> section, the same identity-based
    /// connection the triggers use: <c>ServiceBus__fullyQualifiedNamespace</c> plus the app's one
    /// <see cref="TokenCredential"/>), one sender for the orders topic (the outbox publishes through it) and the dead letters.
    /// </summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddAppCredential();
        var connection = configuration.GetSection(MessagingTopology.Connection);
        var local = IsLocal(connection);
        services.AddAzureClients(clients =>
        {
            clients.AddServiceBusClient(connection)
                .ConfigureOptions(options =>
                {
                    // The triggers' policy in host.json (a few quick exponential retries) with shorter bounds, since a
                    // publish may hold an HTTP response; then the caller fails (HTTP: left to the relay; relay: next tick).
                    // Locally (the emulator, or no Service Bus at all) one attempt: the relay retries anyway,
                    // and an order is not held up for the retries' ~11 s when nothing listens.
                    options.RetryOptions.Mode = ServiceBusRetryMode.Exponential;
                    options.RetryOptions.MaxRetries = local ? 0 : 3;
                    options.RetryOptions.Delay = TimeSpan.FromSeconds(0.8);
                    options.RetryOptions.MaxDelay = TimeSpan.FromSeconds(10);
                    options.RetryOptions.TryTimeout = TimeSpan.FromSeconds(30);
                });
            clients.UseCredential(provider => provider.GetRequiredService<TokenCredential>());
        });
        // Microsoft.Extensions.Azure forwards the SDK's event source to ILogger, where a failed send is an Error carrying the
        // whole exception text (a stack trace per attempt). Every operation the worker makes surfaces its failure to the
        // app, which logs the outcome once (the triggers' own client runs in the host, untouched by this filter).
        services.AddLogging(logging => logging.AddFilter(ServiceBusLogCategory, LogLevel.None));
        services.AddSingleton(provider => provider.GetRequiredService<ServiceBusClient>().CreateSender(MessagingTopology.OrdersTopic));
        services.AddSingleton<IDeadLetters, ServiceBusDeadLetters>();
        services.AddSingleton<OrderEventDelivery>();
        return services;
    }

    /// <summary>A namespace on this machine: the Service Bus emulator's connection string, or a loopback namespace.</summary>
    public static bool IsLocal(IConfigurationSection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.Value is { } connectionString)
        {
            return connectionString.Contains("UseDevelopmentEmulator=true", StringComparison.OrdinalIgnoreCase);
        }

        var host = connection["fullyQualifiedNamespace"];
        return host is not null && (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip)));
    }
}
