using System.Diagnostics;

namespace ServerlessBackend.Functions.Platform.Telemetry;

/// <summary>
/// The attributes the app puts on spans and in log scopes. Identifiers only: never an email address, a name or any
/// other personal data (tests scan every exported span and log record for the order's contact email and for "@").
/// </summary>
public static class TelemetryTags
{
    public const string TenantId = "tenant.id";
    public const string OrderId = "order.id";
    public const string EventType = "order.event_type";

    /// <summary>The W3C trace id of the current span (32 hex digits), what a problem body's traceId and the log records carry.</summary>
    public static string? CurrentTraceId() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.TraceId.ToHexString() : null;

    /// <summary>Log scope state for one order: tenant, order and (when given) event type, keyed as the span attributes are.</summary>
    public static Dictionary<string, object> Scope(string tenantId, string? orderId = null, string? eventType = null)
    {
        var scope = new Dictionary<string, object>(StringComparer.Ordinal) { [TenantId] = tenantId };
        if (orderId is not null)
        {
            scope[OrderId] = orderId;
        }

        if (eventType is not null)
        {
            scope[EventType] = eventType;
        }

        return scope;
    }

    /// <summary>Sets each entry of <paramref name="scope"/> as an attribute of <paramref name="activity"/>.</summary>
    public static void Tag(this Activity? activity, IReadOnlyDictionary<string, object> scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (activity is null)
        {
            return;
        }

        foreach (var (key, value) in scope)
        {
            activity.SetTag(key, value);
        }
    }
}
