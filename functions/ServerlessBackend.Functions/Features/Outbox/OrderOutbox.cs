using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Outbox;

/// <summary>The outbox publisher's view of the order store: the order document is its own outbox.</summary>
public sealed class OrderOutbox(IOrderStore orders) : IOrderOutbox
{
    public async Task<IReadOnlyList<OrderEvent>> GetPendingAsync(string tenantId, string orderId, CancellationToken cancellationToken) =>
        (await orders.GetAsync(tenantId, orderId, cancellationToken))?.Value.Outbox ?? [];

    public Task MarkPublishedAsync(string tenantId, string orderId, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken) =>
        orders.MarkPublishedAsync(tenantId, orderId, eventIds, cancellationToken);
}
