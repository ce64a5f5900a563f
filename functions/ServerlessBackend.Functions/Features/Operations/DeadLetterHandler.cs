using System.Globalization;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Metrics;

namespace ServerlessBackend.Functions.Features.Operations;

/// <summary>
/// Admins (declared on the functions) list and replay their tenant's dead-lettered messages of one subscription. Other tenants'
/// dead letters are invisible (the adapter filters on the message's tenant property). Replays are counted by what
/// was replayed, so asking again for one already replayed (no longer dead-lettered) counts nothing. A replay is audited
/// before it is made (write-ahead: Service Bus and Cosmos DB share no transaction, see <see cref="AuditTrail"/>): the entry
/// names the sequence numbers asked for, so no replay happens without one, and a failed write replays nothing.
/// </summary>
public sealed class DeadLetterHandler(IDeadLetters deadLetters, AppMetrics metrics, AuditTrail audit, IAuditLog log)
{
    public async Task<Outcome<Page<DeadLetteredMessage>>> ListAsync(Caller caller, string subscription, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(page);
        if (Refuse(subscription) is { } refused)
        {
            return refused;
        }

        // The token is the sequence number after the last dead letter this list returned, bound to the tenant and subscription.
        var scope = ContinuationScope.Of("dead-letters", caller.TenantId, subscription);
        long from = 0;
        if (!ContinuationScope.TryOpen(scope, page.ContinuationToken, out var next)
            || (next is not null && !long.TryParse(next, NumberStyles.None, CultureInfo.InvariantCulture, out from)))
        {
            return PageRequest.ForeignToken();
        }

        var peeked = await deadLetters.PeekAsync(subscription, caller.TenantId, from, page.PageSize, cancellationToken);
        return Outcome.Ok(new Page<DeadLetteredMessage>(peeked.Items, ContinuationScope.Bind(scope, peeked.NextSequenceNumber?.ToString(CultureInfo.InvariantCulture))));
    }

    public async Task<Outcome<ReplayDeadLettersResponse>> ReplayAsync(Caller caller, string subscription, ReplayDeadLettersRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        if (Refuse(subscription) is { } refused)
        {
            return refused;
        }

        var errors = request.Validate();
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var wanted = request.SequenceNumbers!.Distinct().ToList();
        var entry = audit.Entry(
            new AuditAction(AuditActor.Of(caller), "deadLetters.replayRequested"), caller.TenantId, AuditResource.Subscription(subscription),
            before: null, new { SequenceNumbers = wanted }, ["sequenceNumbers"]);
        await log.AppendAsync(entry, cancellationToken);
        var replayed = await deadLetters.ReplayAsync(subscription, caller.TenantId, wanted, cancellationToken);
        metrics.DeadLettersReplayed(caller.TenantId, subscription, replayed.Count);
        return Outcome.Ok(new ReplayDeadLettersResponse(replayed, wanted.Except(replayed).ToList()));
    }

    private static ApiError? Refuse(string subscription) =>
        MessagingTopology.Subscriptions.Any(s => s.Name == subscription) ? null : ApiError.NotFound("The subscription");
}
