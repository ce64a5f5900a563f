using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Outbox;

/// <summary>The outbox publisher's view of the order store: the order document is its own outbox.</summary>
public sealed class OrderOutbox(IOrderStore orders) : IOrderOutbox
{
    public Task<Versioned<Order>?> ReadAsync(string tenantId, string orderId, CancellationToken cancellationToken) =>
        orders.GetAsync(tenantId, orderId, cancellationToken);

    public Task<Versioned<Order>?> MarkPublishedAsync(Versioned<Order> known, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken) =>
        orders.MarkPublishedAsync(known, eventIds, cancellationToken);
}
