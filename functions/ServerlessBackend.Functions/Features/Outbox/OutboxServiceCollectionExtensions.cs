using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Outbox;

public static class OutboxServiceCollectionExtensions
{
    /// <summary>The relay that re-publishes what the publish right after a write missed (the outbox itself is messaging's).</summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services) =>
        services.AddSingleton<OutboxRelayHandler>();
}
