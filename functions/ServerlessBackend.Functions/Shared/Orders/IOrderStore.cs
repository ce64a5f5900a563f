using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Audit;

namespace ServerlessBackend.Functions.Shared.Orders;

/// <summary>Orders of one tenant partition. Every call names the tenant; nothing reads across tenants except the outbox relay query.</summary>
public interface IOrderStore
{
    /// <summary>The order, or null when the id holds none (nothing, or a <see cref="RefusedPlacement"/>).</summary>
    Task<Versioned<Order>?> GetAsync(string tenantId, string orderId, CancellationToken cancellationToken);

    /// <summary>What the id holds, order or refused attempt; null when nothing. One point read.</summary>
    Task<Placement?> GetPlacementAsync(string tenantId, string orderId, CancellationToken cancellationToken);

    /// <summary>Records a refused attempt at its order id; throws <see cref="DocumentConflictException"/> when the id holds an order or a refusal.</summary>
    Task CreateRefusalAsync(RefusedPlacement refused, CancellationToken cancellationToken);

    /// <summary>One write; throws <see cref="DocumentConflictException"/> when the id exists. Returns the new ETag.</summary>
    Task<string> CreateAsync(Order order, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the order if its ETag still is <paramref name="ifMatch"/>; throws <see cref="DocumentPreconditionFailedException"/>
    /// otherwise. With <paramref name="audit"/>, the replace and the entry are one transactional batch: both or neither.
    /// </summary>
    Task<string> ReplaceAsync(Order order, string ifMatch, AuditEntry? audit, CancellationToken cancellationToken);

    /// <summary>A page of one tenant's orders (never a refused attempt), newest first, optionally one customer's and/or one status.</summary>
    Task<Page<Order>> ListAsync(OrderListQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the given events from the order's outbox: an ETag compare-and-swap starting from
    /// <paramref name="known"/> (the order as last read or written), re-read and retried only on a concurrent
    /// change. Unknown ids are ignored, so calling it twice is harmless. Returns the order as it stands afterwards
    /// (with the ETag of the replace; as last read when none of the ids was pending any more), or null when it no longer exists.
    /// </summary>
    Task<Versioned<Order>?> MarkPublishedAsync(Versioned<Order> known, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken);

    /// <summary>
    /// Orders (any tenant) with events pending since before <paramref name="olderThan"/>, or since after
    /// <paramref name="laterThan"/> (a time no trusted clock has reached), with that time: the relay's work list.
    /// </summary>
    Task<IReadOnlyList<OrderRef>> FindWithPendingEventsAsync(DateTimeOffset olderThan, DateTimeOffset laterThan, int maxItems, CancellationToken cancellationToken);
}

public sealed record OrderListQuery(string TenantId, string? CustomerId, OrderStatus? Status, int PageSize, string? ContinuationToken);

public sealed record OrderRef(string TenantId, string Id, DateTimeOffset OutboxPendingSince);
