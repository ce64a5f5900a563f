using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>
/// Publishes an order's outbox right after the write that recorded it. The write has already succeeded,
/// so a failure here is logged and left to the timer relay; it never turns the response into an error.
/// </summary>
public sealed partial class AfterWritePublisher(IOutboxPublisher publisher, ILogger<AfterWritePublisher> logger)
{
    /// <summary>
    /// Publishes what <paramref name="written"/> (the document just written, with its new ETag) has pending and
    /// returns the version the response carries. Marking the events published replaces the document, so when
    /// that mark was the only change since the write, the response carries the marked version: its ETag is
    /// current for the client's next If-Match. Otherwise it carries <paramref name="written"/>: publishing failed
    /// (that ETag stays current until the relay marks the events), or the order changed meanwhile (e.g. fulfillment
    /// confirmed it); either way a stale ETag gets a 412 and the client reads the order again.
    /// </summary>
    public async Task<Versioned<Order>> PublishAsync(Versioned<Order> written, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(written);
        try
        {
            var published = await publisher.PublishPendingAsync(written, cancellationToken);

            // Every status change appends to the history; marking touches only the outbox.
            return published.Value.StatusHistory.Count == written.Value.StatusHistory.Count ? published : written;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLeftToRelay(logger, e, written.Value.TenantId, written.Value.Id);
            return written;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing the outbox of order {TenantId}/{OrderId} failed; the relay will publish it")]
    private static partial void LogLeftToRelay(ILogger logger, Exception exception, string tenantId, string orderId);
}
