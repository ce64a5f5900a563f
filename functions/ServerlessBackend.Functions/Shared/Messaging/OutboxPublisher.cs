using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Cosmos;

namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>
/// Publishes an order's outbox: send every pending event, then mark them published. A crash between
/// the two leaves them pending, so the relay sends them again with the same MessageId: duplicate
/// detection drops the copy, and consumers are idempotent for what gets through.
/// </summary>
public sealed partial class OutboxPublisher(IOrderOutbox outbox, IOrderEventSender sender, ILogger<OutboxPublisher> logger) : IOutboxPublisher
{
    /// <summary>Right after a write: the write has succeeded, so a failure here is logged and left to the relay.</summary>
    public async Task<Versioned<Order>> PublishPendingAsync(Versioned<Order> written, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(written);
        try
        {
            return await SendAndMarkAsync(written, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLeftToRelay(logger, ex, written.Value.TenantId, written.Value.Id);
            return written;
        }
    }

    /// <summary>The relay's path: reads the order, then publishes and marks; failures propagate. Returns how many events were sent.</summary>
    public async Task<int> PublishAsync(string tenantId, string orderId, CancellationToken cancellationToken)
    {
        var order = await outbox.ReadAsync(tenantId, orderId, cancellationToken);
        return order is null ? 0 : await PublishAsync(order, cancellationToken);
    }

    /// <summary>Sends the pending events of <paramref name="order"/> as given, then marks them published; failures propagate. Returns how many events were sent.</summary>
    public async Task<int> PublishAsync(Versioned<Order> order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        await SendAndMarkAsync(order, cancellationToken);
        return order.Value.Outbox.Count;
    }

    /// <summary>Send, then mark (compare-and-swap on the ETag of <paramref name="order"/>); returns the order as it stands after the mark.</summary>
    private async Task<Versioned<Order>> SendAndMarkAsync(Versioned<Order> order, CancellationToken cancellationToken)
    {
        var pending = order.Value.Outbox;
        if (pending.Count == 0)
        {
            return order;
        }

        await sender.SendAsync(pending, cancellationToken);
        var marked = await outbox.MarkPublishedAsync(order, pending.Select(e => e.Id).ToList(), cancellationToken);
        LogPublished(logger, pending.Count, order.Value.TenantId, order.Value.Id);

        // Null only when the order was deleted meanwhile: there is no newer version to report.
        return marked ?? order;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Count} event(s) of order {TenantId}/{OrderId}")]
    private static partial void LogPublished(ILogger logger, int count, string tenantId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing order {TenantId}/{OrderId} failed; the outbox relay will retry")]
    private static partial void LogLeftToRelay(ILogger logger, Exception exception, string tenantId, string orderId);
}
