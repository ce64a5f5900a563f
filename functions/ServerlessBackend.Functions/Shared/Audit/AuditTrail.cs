using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Shared.Audit;

/// <summary>
/// Makes the audit entry of a change. Where it is written, and why that is atomic with the change:
/// Cosmos DB commits a transactional batch all or nothing, but only within one container and one partition key value. So
/// an entry is a document in the container and partition of what it describes (products, orders, tenants: all
/// partitioned by <c>/tenantId</c>), and the store writes it in one batch with the change (<c>CosmosErrors.ExecuteBatchAsync</c>):
/// a failed change (412, 404, 409) writes no entry, and no change is ever written without its entry. A second container
/// for the log could not be written atomically with the change, and entries kept inside the changed documents could not
/// expire (TTL is per document) nor be listed newest first across documents. The audit route reads the three containers
/// and merges them (<see cref="CosmosAuditLog"/>).
/// A dead-letter replay changes Service Bus, not Cosmos DB, and nothing spans both: its entry is written before the
/// replay (write-ahead), so no replay happens without an entry; an entry whose replay then failed names what was asked.
/// </summary>
public sealed class AuditTrail(TimeProvider clock, IOptions<AuditOptions> options)
{
    /// <summary>
    /// The entry of <paramref name="action"/> on <paramref name="resource"/>: of <paramref name="fields"/> (top-level JSON
    /// names), those whose values differ between <paramref name="before"/> (null: created) and <paramref name="after"/>.
    /// Only listed fields are recorded, so nothing else of the documents (contact emails, secrets) reaches the log.
    /// </summary>
    public AuditEntry Entry(AuditAction action, string tenantId, AuditResource resource, object? before, object? after, IReadOnlyCollection<string> fields)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(fields);
        var was = Fields(before, fields);
        var becomes = Fields(after, fields);
        foreach (var name in fields)
        {
            if (was is not null && becomes is not null && JsonNode.DeepEquals(was[name], becomes[name]))
            {
                was.Remove(name);
                becomes.Remove(name);
            }
        }

        var now = clock.GetUtcNow();
        var retentionDays = options.Value.RetentionDays;
        return new AuditEntry
        {
            Id = AuditEntry.NewId(now),
            TenantId = tenantId,
            At = now,
            Actor = action.Actor,
            Operation = action.Operation,
            Resource = resource,
            Before = was,
            After = becomes,
            TraceId = Activity.Current?.TraceId.ToString(),
            Ttl = retentionDays > 0 ? (int)TimeSpan.FromDays(retentionDays).TotalSeconds : null,
        };
    }

    private static JsonObject? Fields(object? value, IReadOnlyCollection<string> fields)
    {
        if (value is null)
        {
            return null;
        }

        var all = value as JsonObject ?? JsonSerializer.SerializeToNode(value, value.GetType(), ApiJson.Options)!.AsObject();
        var kept = new JsonObject();
        foreach (var name in fields)
        {
            if (all.TryGetPropertyValue(name, out var field))
            {
                kept[name] = field?.DeepClone();
            }
        }

        return kept;
    }
}
