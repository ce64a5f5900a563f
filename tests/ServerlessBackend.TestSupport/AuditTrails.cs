using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Shared.Audit;

namespace ServerlessBackend.Tests.Support;

/// <summary>The app's audit trail with its default retention, for tests that build handlers and stores by hand.</summary>
public static class AuditTrails
{
    public static AuditTrail Default(TimeProvider? clock = null) => new(clock ?? TimeProvider.System, Options.Create(new AuditOptions()));

    /// <summary>An entry of no particular change, for a store call in a test that is not about auditing.</summary>
    public static AuditEntry Entry(string tenantId, string resourceType, string resourceId) =>
        Default().Entry(new AuditAction(AuditActor.System("test"), "test"), tenantId, new AuditResource(resourceType, resourceId), before: null, after: null, []);
}
