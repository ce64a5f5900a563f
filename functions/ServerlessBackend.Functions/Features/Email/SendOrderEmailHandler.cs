using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Email;

/// <summary>
/// Sends the customer the email an order event calls for, once: the notification log is checked before
/// and written after the send. Only a crash between the relay accepting the mail and the log write can
/// send a second copy, and that copy carries the same Message-ID.
/// </summary>
public sealed partial class SendOrderEmailHandler(
    IOrderStore orders, INotificationLog log, IEmailSender sender, IOptions<EmailOptions> options, TimeProvider clock, ILogger<SendOrderEmailHandler> logger)
{
    public async Task<EmailOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        if (!OrderEmails.Covers(orderEvent.Type))
        {
            return EmailOutcome.NoEmailForEvent;
        }

        if (await log.WasSentAsync(orderEvent.TenantId, orderEvent.Id, cancellationToken))
        {
            return EmailOutcome.AlreadySent;
        }

        var order = await orders.GetAsync(orderEvent.TenantId, orderEvent.OrderId, cancellationToken)
            ?? throw new PoisonMessageException(orderEvent.Id, $"order {orderEvent.OrderId} does not exist in tenant {orderEvent.TenantId}");
        var email = OrderEmails.Compose(orderEvent, Model(order.Value, orderEvent.Type), options.Value.FromAddress)!;

        await sender.SendAsync(email, cancellationToken);
        await log.RecordSentAsync(
            new SentNotification(orderEvent.Id, orderEvent.TenantId, orderEvent.OrderId, orderEvent.Type, email.To, clock.GetUtcNow()), cancellationToken);
        LogSent(logger, orderEvent.Type, orderEvent.TenantId, orderEvent.OrderId);
        return EmailOutcome.Sent;
    }

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
}

public enum EmailOutcome
{
    Sent,
    AlreadySent,
    NoEmailForEvent,
}
