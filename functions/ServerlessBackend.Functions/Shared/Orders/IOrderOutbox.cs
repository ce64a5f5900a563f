using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Functions.Shared.Orders;

/// <summary>
/// The order document is its own outbox (<see cref="Order.Outbox"/>, written with the change that caused
/// the events). This sends an order's pending events to the orders topic and marks them published; a crash
/// between the two leaves them pending, so the relay sends them again with the same MessageId (duplicate
/// detection drops the copy, consumers are idempotent for what gets through).
/// </summary>
public interface IOrderOutbox
{
    /// <summary>
    /// Right after the write that recorded the events, with the document written and its new ETag (so nothing
    /// is read). The write has succeeded, so a failure is logged once and left to the relay, never thrown.
    /// Returns the version a response carries: the marked one when the mark was the only change since the
    /// write (its ETag is current for the client's next If-Match), otherwise <paramref name="written"/>
    /// (publishing failed, or the order changed meanwhile; a stale ETag then gets a 412 and the client reads again).
    /// </summary>
    Task<Versioned<Order>> PublishAfterWriteAsync(Versioned<Order> written, CancellationToken cancellationToken);

    /// <summary>The relay's path: reads the order, sends and marks what it has pending; failures propagate. Returns how many events were sent.</summary>
    Task<int> RelayAsync(string tenantId, string orderId, CancellationToken cancellationToken);
}
