using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Operations;

public static class OperationsServiceCollectionExtensions
{
    /// <summary>Admin operations: the dead-letter list and replay (the adapter comes with AddMessaging).</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddSingleton<DeadLetterHandler>();
        return services;
    }
}
