using System.Text.Json.Nodes;
using ServerlessBackend.Functions.Platform.Auth;

namespace ServerlessBackend.Functions.Shared.Audit;

/// <summary>
/// One audit entry as stored: a document of its own in the container and partition (<c>/tenantId</c>) of the document it
/// describes, written in the same transactional batch as the change (see <see cref="AuditTrail"/>). Its id starts with
/// <see cref="IdPrefix"/> and the time, so ordering by id is ordering by time; no product, order or tenant id holds a ':'.
/// </summary>
public sealed record AuditEntry
{
    public const string IdPrefix = "audit:";

    /// <summary>The discriminator that tells an entry from the other documents of its container.</summary>
    public const string DocumentType = "audit";

    public required string Id { get; init; }

    public required string TenantId { get; init; }

    public string Type { get; init; } = DocumentType;

    public required DateTimeOffset At { get; init; }

    public required AuditActor Actor { get; init; }

    /// <summary>What was done, e.g. <c>product.updated</c>, <c>order.cancelled</c>, <c>tenant.onboarded</c>.</summary>
    public required string Operation { get; init; }

    public required AuditResource Resource { get; init; }

    /// <summary>The audited fields that changed, as they were (null for a creation).</summary>
    public JsonObject? Before { get; init; }

    /// <summary>The audited fields that changed, as they became.</summary>
    public JsonObject? After { get; init; }

    /// <summary>The W3C trace id of the request (or message) that made the change.</summary>
    public string? TraceId { get; init; }

    /// <summary>Seconds until Cosmos DB expires the entry (the environment's retention); null keeps it.</summary>
    public int? Ttl { get; init; }

    /// <summary>The id an entry made at <paramref name="at"/> gets: fixed-width UTC time, then a random part.</summary>
    public static string NewId(DateTimeOffset at) => IdPrefix + TimeKey(at) + ":" + Guid.NewGuid().ToString("N");

    /// <summary>The id prefix of entries made at <paramref name="at"/>: entries at or after it have ids that sort at or after it.</summary>
    public static string TimeKey(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Who made a change: the token's subject, and in which capacity (<see cref="AuditActorKinds"/>).</summary>
public sealed record AuditActor(string Subject, string Kind)
{
    /// <summary>A caller of the API: an operator on the operator routes, else an admin of the tenant.</summary>
    public static AuditActor Of(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new AuditActor(caller.UserId, caller.IsOperator ? AuditActorKinds.Operator : caller.IsAdmin ? AuditActorKinds.Admin : AuditActorKinds.Customer);
    }

    /// <summary>The app itself (a consumer or a webhook), named by its component.</summary>
    public static AuditActor System(string component) => new(component, AuditActorKinds.System);
}

public static class AuditActorKinds
{
    public const string Admin = "admin";
    public const string Operator = "operator";
    public const string System = "system";
    public const string Customer = "customer";
}

/// <summary>What a change touched: its type (<c>product</c>, <c>order</c>, <c>tenant</c>, <c>subscription</c>) and id.</summary>
public sealed record AuditResource(string Type, string Id)
{
    public static AuditResource Product(string id) => new("product", id);

    public static AuditResource Order(string id) => new("order", id);

    public static AuditResource Tenant(string id) => new("tenant", id);

    public static AuditResource Subscription(string name) => new("subscription", name);
}

/// <summary>Who does what; the entry's resource, fields and time come from the change it goes with.</summary>
public sealed record AuditAction(AuditActor Actor, string Operation);
