using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServerlessBackend.Functions.Shared.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>Cosmos DB's largest per-item TTL is int.MaxValue seconds (about 68 years).</summary>
    public const int MaxRetentionDays = int.MaxValue / (24 * 3600);

    /// <summary>The audit trail (entries made with each change) and the log the audit route reads; retention from <c>Audit__RetentionDays</c>.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>()
            .Bind(configuration.GetSection(AuditOptions.SectionName))
            .Validate(o => o.RetentionDays is >= 0 and <= MaxRetentionDays, $"{AuditOptions.SectionName}:RetentionDays must be from 0 (keep) to {MaxRetentionDays}.")
            .ValidateOnStart();
        services.AddSingleton<AuditTrail>();
        services.TryAddSingleton<IAuditLog, CosmosAuditLog>();
        return services;
    }
}
