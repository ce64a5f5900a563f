using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Cosmos;

namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>
/// Publishes an order's pending outbox events to the orders topic and marks them published.
/// Writers call it right after the write that recorded the events, with the document they wrote and its
/// new ETag, so it reads nothing; a failure there is logged and left to the timer-triggered relay,
/// because the write itself already succeeded.
/// </summary>
public interface IOutboxPublisher
{
    /// <summary>
    /// Returns the order as it stands after marking its events published (the mark is a replace, so its ETag is
    /// the order's current one); <paramref name="written"/> itself when it had nothing pending or publishing failed.
    /// </summary>
    Task<Versioned<Order>> PublishPendingAsync(Versioned<Order> written, CancellationToken cancellationToken);
}
