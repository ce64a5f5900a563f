using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Shared.Metrics;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Email;

/// <summary>
/// Sends the customer the email an order event calls for, at most once per event, also when deliveries of it run at
/// once (a lost session lock, a dead-letter replay): a delivery first claims the notification (<see cref="NotificationClaims"/>) with a conditional
/// create of its log record (state Sending, a lease), and only the holder of the claim sends. A delivery that finds a
/// live claim waits for its outcome; one whose holder died (lease run out, or a lease further ahead than any live
/// holder sets one) takes the claim over by ETag compare-and-swap. The outcome (sent, or the recipient refused for good)
/// replaces the claim. The one window left:
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
        if (NotificationClaims.Finished(record) is { } done)
        {
            return done;
        }

        // The same rule as fulfillment's and payment's: an event the order's history does not hold (forged, or a bug) announces nothing.
        var order = await orders.GetRecordedForEventAsync(orderEvent, cancellationToken);
        if (order.Value.PersonalDataErasedAt is not null)
        {
            // The customer's data was erased after the event was recorded: no address, and no email to send.
            LogErased(logger, orderEvent.Type, orderEvent.TenantId, orderEvent.OrderId);
            return EmailOutcome.CustomerErased;
        }

        var email = OrderEmails.Compose(orderEvent, Model(order.Value, orderEvent), options.Value.FromAddress)!;
        var claims = new NotificationClaims(log, clock, logger, LeaseDuration, PollInterval);
        var (claim, finished) = await claims.TakeAsync(orderEvent, record, cancellationToken);
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
            await claims.GiveBackAsync(claim);
            throw;
        }

        metrics.EmailSendEnded(orderEvent.TenantId, answer.IsAccepted ? AppMetrics.EmailOutcome.Sent : AppMetrics.EmailOutcome.RecipientRefused);
        await claims.RecordAsync(claim, answer);
        if (answer.IsAccepted)
        {
            LogSent(logger, orderEvent.Type, orderEvent.TenantId, orderEvent.OrderId);
            return EmailOutcome.Sent;
        }

        LogRecipientRefused(logger, orderEvent.Type, orderEvent.TenantId, orderEvent.OrderId, answer.RefusedStatus!.Value, answer.EnhancedStatus ?? "none");
        return EmailOutcome.RecipientRejected;
    }

    private static OrderEmailModel Model(Order order, OrderEvent orderEvent)
    {
        var eventType = orderEvent.Type;
        if (orderEvent.RefundId is { } refundId && order.Refund(refundId) is { } refund)
        {
            return RefundModel(order, refund, eventType);
        }

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

    /// <summary>A refund's email: the lines refunded (none for a refund by amount) and the amount, with the refund's reason or the failure's code.</summary>
    private static OrderEmailModel RefundModel(Order order, OrderRefund refund, string eventType)
    {
        var lines = refund.Lines
            .Select(l => (Refunded: l, Ordered: order.Lines.First(o => o.ProductId == l.ProductId)))
            .Select(p => new OrderEmailLine(p.Ordered.Name, p.Refunded.Quantity, p.Ordered.UnitPrice * p.Refunded.Quantity))
            .ToList();
        var reason = eventType == OrderEventTypes.RefundFailed ? $"The payment provider refused it ({refund.FailureCode ?? "declined"})." : refund.Reason;
        return new OrderEmailModel(order.Id, order.ContactEmail, refund.Currency, MinorUnits.ToAmount(refund.AmountMinor, refund.Currency), lines, reason, "Refunded");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No {EventType} email for order {TenantId}/{OrderId}: the customer's personal data was erased")]
    private static partial void LogErased(ILogger logger, string eventType, string tenantId, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent the {EventType} email for order {TenantId}/{OrderId}")]
    private static partial void LogSent(ILogger logger, string eventType, string tenantId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The relay refused the recipient of the {EventType} email for order {TenantId}/{OrderId} for good (SMTP {SmtpStatus}, enhanced status {EnhancedStatus}); recorded, not retried")]
    private static partial void LogRecipientRefused(ILogger logger, string eventType, string tenantId, string orderId, int smtpStatus, string enhancedStatus);
}

public enum EmailOutcome
{
    Sent,
    AlreadySent,

    /// <summary>The relay refused the recipient for good: recorded as the notification's outcome.</summary>
    RecipientRejected,
    NoEmailForEvent,

    /// <summary>The customer's personal data was erased from the order: nothing is sent.</summary>
    CustomerErased,
}
