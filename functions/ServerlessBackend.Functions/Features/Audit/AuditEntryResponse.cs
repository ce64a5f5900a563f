using System.Text.Json.Nodes;
using ServerlessBackend.Functions.Shared.Audit;

namespace ServerlessBackend.Functions.Features.Audit;

/// <summary>An entry as the API shows it (the stored document without its partition key, type and expiry).</summary>
public sealed record AuditEntryResponse(
    string Id, DateTimeOffset At, AuditActor Actor, string Operation, AuditResource Resource, JsonObject? Before, JsonObject? After, string? TraceId)
{
    public static AuditEntryResponse From(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(entry.Id, entry.At, entry.Actor, entry.Operation, entry.Resource, entry.Before, entry.After, entry.TraceId);
    }
}
