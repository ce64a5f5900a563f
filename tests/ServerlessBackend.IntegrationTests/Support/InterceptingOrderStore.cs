using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// The real order adapter with points where a test makes a step crash or lets something happen just
/// before it. The relay's work list is the real filter scoped to one tenant: the cross-partition query
/// itself needs the emulator (the Cosmos-protocol server cannot run it).
/// </summary>
public sealed class InterceptingOrderStore(CosmosContainers containers, string tenantId) : IOrderStore
{
    private readonly CosmosOrderStore _inner = new(containers);

    public IOrderStore Inner => _inner;

    /// <summary>How many of the next replaces fail as if the worker crashed before writing.</summary>
    public int FailReplaces { get; set; }

    /// <summary>Runs once, right before the next replace (e.g. a concurrent cancellation).</summary>
    public Func<Task>? BeforeNextReplace { get; set; }

    /// <summary>Runs once, right after the next read (e.g. a concurrent delivery that works on its own snapshot meanwhile).</summary>
    public Func<Task>? AfterNextGet { get; set; }

    /// <summary>The next mark-published fails as if the worker crashed right after publishing.</summary>
    public bool FailNextMarkPublished { get; set; }

    public async Task<string> ReplaceAsync(Order order, string ifMatch, AuditEntry? audit, CancellationToken cancellationToken)
    {
        if (FailReplaces > 0)
        {
            FailReplaces--;
            throw new IOException("worker crashed before the write");
        }

        if (BeforeNextReplace is { } before)
        {
            BeforeNextReplace = null;
            await before();
        }

        return await _inner.ReplaceAsync(order, ifMatch, audit, cancellationToken);
    }

    public Task<Versioned<Order>?> MarkPublishedAsync(Versioned<Order> known, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken)
    {
        if (FailNextMarkPublished)
        {
            FailNextMarkPublished = false;
            throw new IOException("worker crashed after publishing");
        }

        return _inner.MarkPublishedAsync(known, eventIds, cancellationToken);
    }

    public async Task<IReadOnlyList<OrderRef>> FindWithPendingEventsAsync(DateTimeOffset olderThan, DateTimeOffset laterThan, int maxItems, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT c.tenantId, c.id, c.outboxPendingSince FROM c WHERE c.tenantId = @tenantId AND " + CosmosOrderStore.PendingFilter)
            .WithParameter("@tenantId", tenantId)
            .WithParameter("@olderThan", olderThan)
            .WithParameter("@laterThan", laterThan);
        using var iterator = containers.Orders.GetItemQueryIterator<OrderRef>(
            query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(tenantId), MaxItemCount = maxItems });
        var found = new List<OrderRef>();
        while (iterator.HasMoreResults)
        {
            found.AddRange(await iterator.ReadNextAsync(cancellationToken));
        }

        return found;
    }

    public async Task<Versioned<Order>?> GetAsync(string tenantId, string orderId, CancellationToken cancellationToken)
    {
        var order = await _inner.GetAsync(tenantId, orderId, cancellationToken);
        if (AfterNextGet is { } after)
        {
            AfterNextGet = null;
            await after();
        }

        return order;
    }

    public Task<string> CreateAsync(Order order, CancellationToken cancellationToken) => _inner.CreateAsync(order, cancellationToken);

    public Task<Placement?> GetPlacementAsync(string tenantId, string orderId, CancellationToken cancellationToken) => _inner.GetPlacementAsync(tenantId, orderId, cancellationToken);

    public Task CreateRefusalAsync(RefusedPlacement refused, CancellationToken cancellationToken) => _inner.CreateRefusalAsync(refused, cancellationToken);

    public Task<Page<Order>> ListAsync(OrderListQuery query, CancellationToken cancellationToken) => _inner.ListAsync(query, cancellationToken);
}
