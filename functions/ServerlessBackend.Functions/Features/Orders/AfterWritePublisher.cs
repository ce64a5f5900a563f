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
    /// <summary>Publishes what <paramref name="written"/> (the document just written, with its new ETag) has pending.</summary>
    public async Task PublishAsync(Versioned<Order> written, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(written);
        try
        {
            await publisher.PublishPendingAsync(written, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLeftToRelay(logger, e, written.Value.TenantId, written.Value.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing the outbox of order {TenantId}/{OrderId} failed; the relay will publish it")]
    private static partial void LogLeftToRelay(ILogger logger, Exception exception, string tenantId, string orderId);
}
