using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Domain;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Telemetry;

namespace ServerlessBackend.Functions.Features.Email;

/// <summary>
/// Sends the customer the email an order event calls for, at most once per event, also when deliveries of it run at
/// once (a lost session lock, a dead-letter replay): a delivery first claims the notification with a conditional
/// create of its log record (state Sending, a lease), and only the holder of the claim sends. A delivery that finds a
/// live claim waits for its outcome; one whose holder died (lease run out, or a lease further ahead than any live
/// holder sets one) takes the claim over by ETag compare-and-swap. The outcome (sent, or the recipient refused for good) replaces the claim. The one window left:
/// the relay accepted the mail and the delivery died before recording it; the delivery that takes over once the lease
/// runs out sends a copy with the same Message-ID. Every send to the relay is counted with how it ended; a delivery
/// that finds the email sent or claimed sends nothing and counts nothing. Only the recipient's own refusal is an
/// outcome; the relay refusing for itself (policy, authentication, a 4xx: <see cref="SmtpRefusal"/>) fails the delivery.
/// </summary>
public sealed partial class SendOrderEmailHandler(
    IOrderStore orders, INotificationLog log, IEmailSender sender, IOptions<EmailOptions> options, TimeProvider clock, AppMetrics metrics,
    ILogger<SendOrderEmailHandler> logger)
{
    /// <summary>How long a claim is the holder's alone: longer than <see cref="SendTimeout"/> plus the record write, so a live holder never loses it.</summary>
    internal TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The most a send may take before it is cancelled (and the delivery fails, for Service Bus to retry).</summary>
    internal TimeSpan SendTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a delivery that waits for another one's claim reads it again.</summary>
    internal TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public async Task<EmailOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        if (!OrderEmails.Covers(orderEvent.Type))
        {
            return EmailOutcome.NoEmailForEvent;
        }

        var record = await log.ReadAsync(orderEvent.TenantId, orderEvent.Id, cancellationToken);
        if (Finished(record) is { } done)
        {
            return done;
        }

        // The same rule as fulfillment's and payment's: an event the order's history does not hold (forged, or a bug) announces nothing.
        var order = await orders.GetRecordedForEventAsync(orderEvent, cancellationToken);

        var email = OrderEmails.Compose(orderEvent, Model(order.Value, orderEvent.Type), options.Value.FromAddress)!;
        var (claim, finished) = await ClaimAsync(orderEvent, record, cancellationToken);
        if (claim is null)
        {
            return finished!.Value;
        }

        RelayAnswer answer;
        try
        {
            using var timeout = new CancellationTokenSource(SendTimeout, clock);
            using var send = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            answer = await sender.SendAsync(email, send.Token);
        }
        catch (Exception e)
        {
            metrics.EmailSendEnded(orderEvent.TenantId, e switch
            {
                RelayRefusedException { Transient: true } => AppMetrics.EmailOutcome.RelayDeferred,
                RelayRefusedException => AppMetrics.EmailOutcome.RelayRefused,
                _ => AppMetrics.EmailOutcome.Failed,
            });
            await ReleaseAsync(claim);
            throw;
        }

        metrics.EmailSendEnded(orderEvent.TenantId, answer.IsAccepted ? AppMetrics.EmailOutcome.Sent : AppMetrics.EmailOutcome.RecipientRefused);

        return await RecordAsync(orderEvent, claim, answer);
    }

    /// <summary>
    /// Takes the claim (creates the record, or takes over one whose lease ran out), or waits while another delivery
    /// holds a live one; returns the claim, or the outcome another delivery recorded meanwhile.
    /// </summary>
    private async Task<(Versioned<Notification>? Claim, EmailOutcome? Finished)> ClaimAsync(
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
                orderEvent.Id, orderEvent.TenantId, orderEvent.OrderId, orderEvent.Type, NotificationState.Sending, deliveryId, now + LeaseDuration, now);
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
                await Task.Delay(wait < PollInterval ? wait : PollInterval, clock, cancellationToken);
            }

            record = await log.ReadAsync(orderEvent.TenantId, orderEvent.Id, cancellationToken);
        }
    }

    /// <summary>
    /// A claim's lease holds while it has not run out and lies no further ahead than a holder could have set it
    /// (<see cref="LeaseDuration"/> on a clock at most <see cref="ClockSkew.Max"/> ahead). One further ahead (a holder's
    /// clock far off, a corrupt record) would otherwise hold the email back until that time: it is taken over.
    /// </summary>
    private bool IsLive(DateTimeOffset leaseUntil, DateTimeOffset now) =>
        leaseUntil > now && leaseUntil - now <= LeaseDuration + ClockSkew.Max;

    /// <summary>Replaces the claim with the relay's answer. Not cancellable: once the relay has the mail, recording it is what prevents a copy.</summary>
    private async Task<EmailOutcome> RecordAsync(OrderEvent orderEvent, Versioned<Notification> claim, RelayAnswer answer)
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
            LogClaimLost(logger, orderEvent.Type, orderEvent.TenantId, orderEvent.OrderId);
        }

        if (answer.IsAccepted)
        {
            LogSent(logger, orderEvent.Type, orderEvent.TenantId, orderEvent.OrderId);
            return EmailOutcome.Sent;
        }

        LogRecipientRefused(logger, orderEvent.Type, orderEvent.TenantId, orderEvent.OrderId, answer.RefusedStatus!.Value, answer.EnhancedStatus ?? "none");
        return EmailOutcome.RecipientRejected;
    }

    /// <summary>Gives the claim back after a failed send, so the redelivery need not wait for the lease; if that fails too, the lease runs out instead.</summary>
    private async Task ReleaseAsync(Versioned<Notification> claim)
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

    private static EmailOutcome? Finished(Versioned<Notification>? record) => record?.Value.State switch
    {
        NotificationState.Sent => EmailOutcome.AlreadySent,
        NotificationState.RejectedByRelay => EmailOutcome.RecipientRejected,
        _ => null,
    };

    private static OrderEmailModel Model(Order order, string eventType)
    {
        // The reason recorded with the status change this event announces (e.g. why it was rejected).
        var reason = eventType switch
        {
            OrderEventTypes.OrderRejected => order.StatusHistory.LastOrDefault(h => h.Status == OrderStatus.Rejected)?.Reason,
            OrderEventTypes.OrderCancelled => order.StatusHistory.LastOrDefault(h => h.Status == OrderStatus.Cancelled)?.Reason,
            _ => null,
        };
        return new OrderEmailModel(
            order.Id, order.ContactEmail, order.Currency, order.Total,
            order.Lines.Select(l => new OrderEmailLine(l.Name, l.Quantity, l.LineTotal)).ToList(), reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent the {EventType} email for order {TenantId}/{OrderId}")]
    private static partial void LogSent(ILogger logger, string eventType, string tenantId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The relay refused the recipient of the {EventType} email for order {TenantId}/{OrderId} for good (SMTP {SmtpStatus}, enhanced status {EnhancedStatus}); recorded, not retried")]
    private static partial void LogRecipientRefused(ILogger logger, string eventType, string tenantId, string orderId, int smtpStatus, string enhancedStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Took over the {EventType} email for order {TenantId}/{OrderId} from a delivery whose claim expired; if that one had reached the relay, this is a second copy with the same Message-ID")]
    private static partial void LogTakenOver(ILogger logger, string eventType, string tenantId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {EventType} email for order {TenantId}/{OrderId} was sent after this delivery's claim had expired; another delivery may send a copy with the same Message-ID")]
    private static partial void LogClaimLost(ILogger logger, string eventType, string tenantId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give back the claim on the {EventType} email for order {TenantId}/{OrderId} ({Failure}); the redelivery takes it once its lease runs out")]
    private static partial void LogReleaseFailed(ILogger logger, string eventType, string tenantId, string orderId, string failure);
}

public enum EmailOutcome
{
    Sent,
    AlreadySent,

    /// <summary>The relay refused the recipient for good: recorded as the notification's outcome.</summary>
    RecipientRejected,
    NoEmailForEvent,
}
