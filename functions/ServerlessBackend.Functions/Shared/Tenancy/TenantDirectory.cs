using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Audit;

namespace ServerlessBackend.Functions.Shared.Tenancy;

/// <summary>
/// The allow-list, remembered per instance for <see cref="CacheLifetime"/> (an answer, onboarded or not, costs one point
/// read per tenant and instance per minute; the other requests none). A change made through the operator routes applies at
/// once on the instance that made it and within <see cref="CacheLifetime"/> on the others. At most
/// <see cref="CacheCapacity"/> tenants are remembered (past that the memory starts again), so tokens from many unknown
/// directories cannot grow it without bound. With <paramref name="onboardAtFirstRequest"/> (local development only: the
/// development signing key) a tenant never seen before is onboarded by its first request; a suspended one stays refused.
/// </summary>
public sealed partial class TenantDirectory(ITenantStore store, TimeProvider clock, ILogger<TenantDirectory> logger, AuditTrail audit, bool onboardAtFirstRequest) : ITenantDirectory
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(60);

    public const int CacheCapacity = 10_000;

    /// <summary>Who <see cref="TenantChange.By"/> names for a tenant onboarded by its first request.</summary>
    public const string DevelopmentOnboarding = "development (first request)";

    private readonly ConcurrentDictionary<string, (TenantStatus? Status, DateTimeOffset Until)> _known = new(StringComparer.Ordinal);

    public async Task<TenantStatus?> StatusAsync(string tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        var now = clock.GetUtcNow();
        if (_known.TryGetValue(tenantId, out var known) && known.Until > now)
        {
            return known.Status;
        }

        var record = (await store.GetAsync(tenantId, cancellationToken))?.Value;
        if (record is null && onboardAtFirstRequest)
        {
            record = await OnboardAsync(tenantId, now, cancellationToken);
        }

        if (_known.Count >= CacheCapacity)
        {
            _known.Clear();
        }

        _known[tenantId] = (record?.Status, now + CacheLifetime);
        return record?.Status;
    }

    public void Forget(string tenantId) => _known.TryRemove(tenantId, out _);

    private async Task<TenantRecord?> OnboardAsync(string tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = new TenantRecord
        {
            TenantId = tenantId,
            DisplayName = tenantId,
            Status = TenantStatus.Active,
            CreatedAt = now,
            UpdatedAt = now,
            History = [new TenantChange(now, DevelopmentOnboarding, "onboarded", TenantStatus.Active, tenantId)],
        };
        try
        {
            var entry = audit.Entry(
                new AuditAction(AuditActor.System(DevelopmentOnboarding), "tenant.onboarded"), tenantId, AuditResource.Tenant(tenantId), before: null, record, AuditFields.Tenant);
            await store.CreateAsync(record, entry, cancellationToken);
            LogOnboarded(logger);
            return record;
        }
        catch (DocumentConflictException)
        {
            // A concurrent first request created it.
            return (await store.GetAsync(tenantId, cancellationToken))?.Value;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A tenant was onboarded by its first request (development signing key)")]
    private static partial void LogOnboarded(ILogger logger);
}
