using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Json;
using ServerlessBackend.Functions.Shared.Audit;

namespace ServerlessBackend.Functions.Shared.Orders;

public sealed class CosmosOrderStore(CosmosContainers containers) : IOrderStore
{
    private const int MarkPublishedAttempts = 5;

    private Container Orders => containers.Orders;

    public async Task<Versioned<Order>?> GetAsync(string tenantId, string orderId, CancellationToken cancellationToken) =>
        (await GetPlacementAsync(tenantId, orderId, cancellationToken).ConfigureAwait(false))?.Order;

    public async Task<Placement?> GetPlacementAsync(string tenantId, string orderId, CancellationToken cancellationToken)
    {
        // Read raw: the id may hold an order or a refused attempt, told apart by the refusal's own property.
        var read = await CosmosErrors.ReadJsonOrNull(Orders, orderId, tenantId, cancellationToken).ConfigureAwait(false);
        if (read is null)
        {
            return null;
        }

        var json = read.Value;
        return HasTopLevelProperty(json, "refusal"u8)
            ? new Placement(null, JsonSerializer.Deserialize<RefusedPlacement>(json, ApiJson.Options))
            : new Placement(new Versioned<Order>(JsonSerializer.Deserialize<Order>(json, ApiJson.Options)!, read.ETag), null);
    }

    public Task CreateRefusalAsync(RefusedPlacement refused, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refused);
        return CosmosErrors.Translate(refused.Id, async () =>
            await Orders.CreateItemAsync(refused, new PartitionKey(refused.TenantId), NoContent(), cancellationToken).ConfigureAwait(false));
    }

    public Task<string> CreateAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        return CosmosErrors.Translate(order.Id, async () =>
        {
            var response = await Orders.CreateItemAsync(order, new PartitionKey(order.TenantId), NoContent(), cancellationToken).ConfigureAwait(false);
            return response.ETag;
        });
    }

    public async Task<string> ReplaceAsync(Order order, string ifMatch, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (audit is not null)
        {
            var batch = Orders.CreateTransactionalBatch(new PartitionKey(order.TenantId))
                .ReplaceItem(order.Id, order, new TransactionalBatchItemRequestOptions { IfMatchEtag = ifMatch, EnableContentResponseOnWrite = false })
                .CreateItem(audit, new TransactionalBatchItemRequestOptions { EnableContentResponseOnWrite = false });
            using var response = await CosmosErrors.ExecuteBatchAsync(order.Id, batch, cancellationToken).ConfigureAwait(false);
            return response[0].ETag;
        }

        return await CosmosErrors.Translate(order.Id, async () =>
        {
            var options = NoContent();
            options.IfMatchEtag = ifMatch;
            var response = await Orders.ReplaceItemAsync(order, order.Id, new PartitionKey(order.TenantId), options, cancellationToken).ConfigureAwait(false);
            return response.ETag;
        }).ConfigureAwait(false);
    }

    public Task<Page<Order>> ListAsync(OrderListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        // Orders only: every order has a status, a refused attempt stored among them has none.
        var text = "SELECT * FROM c WHERE c.tenantId = @tenantId AND IS_DEFINED(c.status)";
        var parameters = new List<(string Name, object Value)> { ("@tenantId", query.TenantId) };
        if (query.CustomerId is not null)
        {
            text += " AND c.customerId = @customerId";
            parameters.Add(("@customerId", query.CustomerId));
        }

        if (query.Status is { } status)
        {
            text += " AND c.status = @status";
            parameters.Add(("@status", JsonNaming.EnumValue(status)));
        }

        // Equality filters first in the ORDER BY, so the query is served by its composite index (see CosmosModel).
        var index = CosmosModel.OrderLists.For(byCustomer: query.CustomerId is not null, byStatus: query.Status is not null);
        var definition = new QueryDefinition($"{text} {index.OrderByClause("c")}");
        foreach (var (name, value) in parameters)
        {
            definition = definition.WithParameter(name, value);
        }

        return CosmosErrors.ReadPage<Order>(Orders, definition, query.TenantId, query.PageSize, query.ContinuationToken, directExecution: true, cancellationToken);
    }

    public Task<Versioned<Order>?> MarkPublishedAsync(Versioned<Order> known, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(known);
        return ETagRaces.DecideAsync<Versioned<Order>?, Versioned<Order>?>(
            known,
            async current =>
            {
                if (current is null || !current.Value.Outbox.Any(e => eventIds.Contains(e.Id)))
                {
                    return current;
                }

                var marked = current.Value.WithoutPublished(eventIds);
                return new Versioned<Order>(marked, await ReplaceAsync(marked, current.ETag, audit: null, cancellationToken).ConfigureAwait(false));
            },
            // Changed since that version (a status change): read again.
            _ => GetAsync(known.Value.TenantId, known.Value.Id, cancellationToken),
            MarkPublishedAttempts);
    }

    /// <summary>The relay's filter on <c>outboxPendingSince</c> (parameters <c>@olderThan</c>, <c>@laterThan</c>).</summary>
    public const string PendingFilter = "(c.outboxPendingSince < @olderThan OR c.outboxPendingSince > @laterThan)";

    public Task<IReadOnlyList<OrderRef>> FindWithPendingEventsAsync(DateTimeOffset olderThan, DateTimeOffset laterThan, int maxItems, CancellationToken cancellationToken) =>
        CosmosErrors.Translate<IReadOnlyList<OrderRef>>("outbox", async () =>
        {
            // Cross-partition on purpose: the relay sweeps every tenant. outboxPendingSince is indexed; /outbox/* is not.
            var definition = new QueryDefinition("SELECT c.tenantId, c.id, c.outboxPendingSince FROM c WHERE " + PendingFilter)
                .WithParameter("@olderThan", olderThan)
                .WithParameter("@laterThan", laterThan);
            using var iterator = Orders.GetItemQueryIterator<OrderRef>(definition, requestOptions: new QueryRequestOptions { MaxItemCount = maxItems });
            var found = new List<OrderRef>();
            while (iterator.HasMoreResults && found.Count < maxItems)
            {
                found.AddRange(await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false));
            }

            return found.Take(maxItems).ToList();
        });

    private static ItemRequestOptions NoContent() => new() { EnableContentResponseOnWrite = false };

    private static bool HasTopLevelProperty(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
            {
                return true;
            }

            reader.Skip();
        }

        return false;
    }
}
