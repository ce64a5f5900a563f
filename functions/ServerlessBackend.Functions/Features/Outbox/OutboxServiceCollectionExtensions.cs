using Microsoft.Extensions.DependencyInjection;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Outbox;

public static class OutboxServiceCollectionExtensions
{
    /// <summary>The outbox publisher over the order documents, and the relay that re-publishes what it missed.</summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddSingleton<IOrderOutbox, OrderOutbox>();
        services.AddSingleton<OutboxPublisher>();
        services.AddSingleton<IOutboxPublisher>(provider => provider.GetRequiredService<OutboxPublisher>());
        services.AddSingleton<OutboxRelayHandler>();
        return services;
    }
}
