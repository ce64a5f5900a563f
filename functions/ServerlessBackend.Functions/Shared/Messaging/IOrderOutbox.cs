using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Cosmos;

namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>The order document as the publisher sees it: its <see cref="Order.Outbox"/> holds the events not yet published.</summary>
public interface IOrderOutbox
{
    /// <summary>The order with its ETag; null when it does not exist.</summary>
    Task<Versioned<Order>?> ReadAsync(string tenantId, string orderId, CancellationToken cancellationToken);

    /// <summary>
    /// Marks these events published with an ETag compare-and-swap on <paramref name="known"/> (the order as last
    /// read or written), reading again only when it has changed since; ids no longer pending are ignored.
    /// Returns the order as it stands afterwards, or null when it no longer exists.
    /// </summary>
    Task<Versioned<Order>?> MarkPublishedAsync(Versioned<Order> known, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken);
}
