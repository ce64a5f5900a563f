using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Functions.Features.Email;

/// <summary>
/// The claim a delivery takes on an event's notification before it sends (the log record in state Sending, with a
/// lease), and what replaces it: the outcome, or nothing after a failed send. Every write is conditional
/// (<see cref="INotificationLog"/>), so two deliveries never both hold a claim; one whose holder died (lease run out) is
/// taken over by ETag compare-and-swap, and so is one whose lease lies further ahead than a live holder sets one. Logs go to the sending handler's logger.
/// </summary>
internal sealed partial class NotificationClaims(INotificationLog log, TimeProvider clock, ILogger logger, TimeSpan leaseDuration, TimeSpan pollInterval)
{
    /// <summary>The outcome a record holds, or null while it is a claim.</summary>
    public static EmailOutcome? Finished(Versioned<Notification>? record) => record?.Value.State switch
    {
        NotificationState.Sent => EmailOutcome.AlreadySent,
        NotificationState.RejectedByRelay => EmailOutcome.RecipientRejected,
        _ => null,
    };

    /// <summary>
    /// Takes the claim (creates the record, or takes over one whose lease ran out), or waits while another delivery
    /// holds a live one; returns the claim, or the outcome another delivery recorded meanwhile.
    /// </summary>
    public async Task<(Versioned<Notification>? Claim, EmailOutcome? Finished)> TakeAsync(
        OrderEvent orderEvent, Versioned<Notification>? record, CancellationToken cancellationToken)
    {
        var deliveryId = Guid.NewGuid().ToString("N");
        while (true)
        {
            if (Finished(record) is { } done)
            {
                return (null, done);
            }

            var now = clock.GetUtcNow();
            var mine = new Notification(
                orderEvent.Id, orderEvent.TenantId, orderEvent.OrderId, orderEvent.Type, NotificationState.Sending, deliveryId, now + leaseDuration, now);
            if (record is null)
            {
                if (await log.TryCreateAsync(mine, cancellationToken) is { } created)
                {
                    return (new Versioned<Notification>(mine, created), null);
                }
            }
            else if (!IsLive(record.Value.LeaseUntil, now))
            {
                if (await log.TryReplaceAsync(mine, record.ETag, cancellationToken) is { } taken)
                {
                    LogTakenOver(logger, orderEvent.Type, orderEvent.TenantId, orderEvent.OrderId);
                    return (new Versioned<Notification>(mine, taken), null);
                }
            }
            else
            {
                var wait = record.Value.LeaseUntil - now;
                await Task.Delay(wait < pollInterval ? wait : pollInterval, clock, cancellationToken);
            }

            record = await log.ReadAsync(orderEvent.TenantId, orderEvent.Id, cancellationToken);
        }
    }

    /// <summary>
    /// A claim's lease holds while it has not run out and lies no further ahead than a holder could have set it (the lease
    /// duration on a clock at most <see cref="ClockSkew.Max"/> ahead). One further ahead (a holder's clock far off, a
    /// corrupt record) would otherwise hold the email back until that time: it is taken over.
    /// </summary>
    private bool IsLive(DateTimeOffset leaseUntil, DateTimeOffset now) =>
        leaseUntil > now && leaseUntil - now <= leaseDuration + ClockSkew.Max;

    /// <summary>Replaces the claim with the relay's answer. Not cancellable: once the relay has the mail, recording it is what prevents a copy.</summary>
    public async Task RecordAsync(Versioned<Notification> claim, RelayAnswer answer)
    {
        var outcome = claim.Value with
        {
            State = answer.IsAccepted ? NotificationState.Sent : NotificationState.RejectedByRelay,
            SmtpStatus = answer.RefusedStatus,
            SmtpEnhancedStatus = answer.EnhancedStatus,
            UpdatedAt = clock.GetUtcNow(),
        };
        if (await log.TryReplaceAsync(outcome, claim.ETag, CancellationToken.None) is null)
        {
            // Only if this delivery outlived its lease (a stall longer than the send timeout allows): another took over.
            LogClaimLost(logger, claim.Value.Type, claim.Value.TenantId, claim.Value.OrderId);
        }
    }

    /// <summary>Gives the claim back after a failed send, so the redelivery need not wait for the lease; if that fails too, the lease runs out instead.</summary>
    public async Task GiveBackAsync(Versioned<Notification> claim)
    {
        try
        {
            await log.TryDeleteAsync(claim.Value.TenantId, claim.Value.Id, claim.ETag, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogReleaseFailed(logger, claim.Value.Type, claim.Value.TenantId, claim.Value.OrderId, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Took over the {EventType} email for order {TenantId}/{OrderId} from a delivery whose claim expired; if that one had reached the relay, this is a second copy with the same Message-ID")]
    private static partial void LogTakenOver(ILogger logger, string eventType, string tenantId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {EventType} email for order {TenantId}/{OrderId} was sent after this delivery's claim had expired; another delivery may send a copy with the same Message-ID")]
    private static partial void LogClaimLost(ILogger logger, string eventType, string tenantId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give back the claim on the {EventType} email for order {TenantId}/{OrderId} ({Failure}); the redelivery takes it once its lease runs out")]
    private static partial void LogReleaseFailed(ILogger logger, string eventType, string tenantId, string orderId, string failure);
}
