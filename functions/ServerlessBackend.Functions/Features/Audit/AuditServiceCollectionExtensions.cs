using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Audit;

public static class AuditRouteServiceCollectionExtensions
{
    /// <summary>The audit route (the trail and the log come with AddAudit).</summary>
    public static IServiceCollection AddAuditRoute(this IServiceCollection services)
    {
        services.AddSingleton<ReadAuditHandler>();
        return services;
    }
}
