using Microsoft.Extensions.Logging;

namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>
/// Publishes an order's outbox: send every pending event, then mark them published. A crash between
/// the two leaves them pending, so the relay sends them again with the same MessageId: duplicate
/// detection drops the copy, and consumers are idempotent for what gets through.
/// </summary>
public sealed partial class OutboxPublisher(IOrderOutbox outbox, IOrderEventSender sender, ILogger<OutboxPublisher> logger) : IOutboxPublisher
{
    /// <summary>Right after a write: the write has succeeded, so a failure here is logged and left to the relay.</summary>
    public async Task PublishPendingAsync(string tenantId, string orderId, CancellationToken cancellationToken)
    {
        try
        {
            await PublishAsync(tenantId, orderId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLeftToRelay(logger, ex, tenantId, orderId);
        }
    }

    /// <summary>Publishes and marks; failures propagate. Returns how many events were sent.</summary>
    public async Task<int> PublishAsync(string tenantId, string orderId, CancellationToken cancellationToken)
    {
        var pending = await outbox.GetPendingAsync(tenantId, orderId, cancellationToken);
        if (pending.Count == 0)
        {
            return 0;
        }

        await sender.SendAsync(pending, cancellationToken);
        await outbox.MarkPublishedAsync(tenantId, orderId, pending.Select(e => e.Id).ToList(), cancellationToken);
        LogPublished(logger, pending.Count, tenantId, orderId);
        return pending.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Count} event(s) of order {TenantId}/{OrderId}")]
    private static partial void LogPublished(ILogger logger, int count, string tenantId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing order {TenantId}/{OrderId} failed; the outbox relay will retry")]
    private static partial void LogLeftToRelay(ILogger logger, Exception exception, string tenantId, string orderId);
}
