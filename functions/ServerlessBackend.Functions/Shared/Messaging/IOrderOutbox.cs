namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>The pending events stored in an order document (its outbox).</summary>
public interface IOrderOutbox
{
    /// <summary>The order's events not yet marked published, oldest first; empty when the order does not exist.</summary>
    Task<IReadOnlyList<OrderEvent>> GetPendingAsync(string tenantId, string orderId, CancellationToken cancellationToken);

    /// <summary>Marks these events published; ids no longer pending are ignored, so a second call is harmless.</summary>
    Task MarkPublishedAsync(string tenantId, string orderId, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken);
}
