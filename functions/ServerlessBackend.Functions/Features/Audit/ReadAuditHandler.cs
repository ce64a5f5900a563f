using System.Globalization;
using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Audit;

namespace ServerlessBackend.Functions.Features.Audit;

/// <summary>
/// An admin reads the tenant's audit log (admin only, declared on the function): newest first, paged, optionally one
/// resource type (and id) and a time range. Read only: no route changes or deletes an entry. Every query names the
/// caller's tenant as its partition key, so no other tenant's entry can be read, and the token is bound to the list.
/// </summary>
public sealed class ReadAuditHandler(IAuditLog log)
{
    private static readonly string[] ResourceTypes = ["product", "order", "tenant", "subscription"];

    public async Task<Outcome<Page<AuditEntry>>> ListAsync(Caller caller, PageRequest page, IQueryCollection query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(query);
        var errors = new FieldErrors();
        var resourceType = Text(query, "resourceType");
        var resourceId = Text(query, "resourceId");
        if (resourceType is not null && !ResourceTypes.Contains(resourceType))
        {
            errors.Add("resourceType", $"One of {string.Join(", ", ResourceTypes)}.");
        }

        if (resourceId is not null && resourceType is null)
        {
            errors.Add("resourceId", "Only with resourceType.");
        }

        var from = Time(query, "from", errors);
        var to = Time(query, "to", errors);
        if (from is not null && to is not null && from >= to)
        {
            errors.Add("to", "Must be later than from.");
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var scope = ContinuationScope.Of("audit", caller.TenantId, resourceType, resourceId, query["from"].ToString(), query["to"].ToString());
        if (!ContinuationScope.TryOpen(scope, page.ContinuationToken, out var continuation))
        {
            return PageRequest.ForeignToken();
        }

        try
        {
            var entries = await log.ListAsync(new AuditQuery(caller.TenantId, resourceType, resourceId, from, to, page.PageSize, continuation), cancellationToken);
            return Outcome.Ok(entries with { ContinuationToken = ContinuationScope.Bind(scope, entries.ContinuationToken) });
        }
        catch (InvalidContinuationTokenException)
        {
            return PageRequest.ForeignToken();
        }
    }

    private static string? Text(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value.ToString() : null;

    /// <summary>An RFC 3339 date-time with its offset (a time without one would mean a different instant on every server).</summary>
    private static DateTimeOffset? Time(IQueryCollection query, string name, FieldErrors errors)
    {
        if (Text(query, name) is not { } text)
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            && (text[^1] is 'Z' or 'z' || (text.Length > 6 && text[^6] is '+' or '-')))
        {
            return time;
        }

        errors.Add(name, "An RFC 3339 date-time with a time zone offset, e.g. 2026-01-31T09:00:00Z.");
        return null;
    }
}
