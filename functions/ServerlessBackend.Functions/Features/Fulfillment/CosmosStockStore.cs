using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Catalog;
using ServerlessBackend.Functions.Shared.Metrics;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>
/// Reservations on the product documents (<see cref="StockLedger"/>), each one conditional patch that Cosmos
/// checks and applies atomically on the one document: no read before it and no ETag, so concurrent reservations
/// of one product never make each other retry. Only a failed condition costs a point read, to say why (held
/// already, settled, short, inactive). Releasing and committing move the order's marker to the current tombstone
/// slot in the same patch; emptying a slot that is a horizon old costs one read and one more patch per slot and
/// product, once per horizon. Each failed reservation condition is counted, tagged with that why.
/// </summary>
public sealed class CosmosStockStore(CosmosContainers containers, TimeProvider clock, AppMetrics metrics) : IStockStore
{
    // A failed condition whose snapshot says "would succeed now" means the product changed in between (a restock,
    // a release, a slot emptied): decide again, a few times at most; contention between reservations never gets here.
    private const int Attempts = 5;

    private Container Products => containers.Products;

    public async Task<ReservationOutcome> ReserveAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        var order = Literal(orderId);
        var unsettled = string.Join(" AND ", Enumerable.Range(0, TombstoneSlot.Count).Select(i => $"NOT IS_DEFINED(c.{StockLedger.Settled}[{i}].orders[{order}])"));
        var condition = $"FROM c WHERE c.active = true AND c.availableStock >= {quantity} AND NOT IS_DEFINED(c.{StockLedger.Reservations}[{order}]) AND {unsettled}";
        PatchOperation[] reserve = [PatchOperation.Increment("/availableStock", -quantity), PatchOperation.Set(MarkerPath(orderId), quantity)];
        for (var attempt = 1; ; attempt++)
        {
            switch (await PatchAsync(tenantId, productId, reserve, condition, cancellationToken))
            {
                case HttpStatusCode.OK:
                    return ReservationOutcome.Reserved;
                case HttpStatusCode.NotFound:
                    return ReservationOutcome.Unavailable;
            }

            var stock = await ReadAsync(tenantId, productId, cancellationToken);
            var outcome = StockReservation.Decide(
                stock is not null, stock?.Active == true, stock?.AvailableStock ?? 0, stock?.HeldBy(orderId), stock?.IsSettled(orderId) == true, quantity);
            metrics.ReservationConditionFailed(tenantId, outcome);
            if (outcome != ReservationOutcome.Reserved || attempt == Attempts)
            {
                return outcome == ReservationOutcome.Reserved ? throw Changing(productId) : outcome;
            }
        }
    }

    public async Task<bool> ReturnAsync(string tenantId, string productId, string returnKey, int quantity, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        var key = Literal(returnKey);
        var unsettled = string.Join(" AND ", Enumerable.Range(0, TombstoneSlot.Count).Select(i => $"NOT IS_DEFINED(c.{StockLedger.Settled}[{i}].orders[{key}])"));
        var condition = $"FROM c WHERE NOT IS_DEFINED(c.{StockLedger.Reservations}[{key}]) AND {unsettled}";
        PatchOperation[] giveBack = [PatchOperation.Increment("/availableStock", quantity), PatchOperation.Set(MarkerPath(returnKey), quantity)];

        // 412: this return's marker or tombstone is there (given back before); 404: the product is gone, nothing to give back to.
        return await PatchAsync(tenantId, productId, giveBack, condition, cancellationToken) == HttpStatusCode.OK;
    }

    public Task<bool> ReleaseAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken) =>
        SettleAsync(tenantId, productId, orderId, quantity, giveBack: true, cancellationToken);

    public async Task<bool> ReleaseLeftoverAsync(string tenantId, string productId, string orderId, CancellationToken cancellationToken) =>
        (await ReadAsync(tenantId, productId, cancellationToken))?.HeldBy(orderId) is { } held
            && await SettleAsync(tenantId, productId, orderId, held, giveBack: true, cancellationToken);

    public Task<bool> CommitAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken) =>
        SettleAsync(tenantId, productId, orderId, quantity, giveBack: false, cancellationToken);

    /// <summary>
    /// Moves the order's marker to the current tombstone slot, giving its quantity back to stock when
    /// <paramref name="giveBack"/>, on the condition that the marker holds <paramref name="quantity"/> and the slot
    /// is of this epoch; when the condition fails, a read says whether the marker is gone (false), holds another
    /// quantity (settled with that), or the slot must be emptied first (one patch that replaces it) or restamped (a
    /// later epoch: see <see cref="TombstoneSlot"/>), each conditional on the epoch read.
    /// </summary>
    private async Task<bool> SettleAsync(string tenantId, string productId, string orderId, int quantity, bool giveBack, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        var slot = StockReservation.SlotAt(clock.GetUtcNow());
        var marker = $"c.{StockLedger.Reservations}[{Literal(orderId)}]";
        var slotEpoch = $"c.{StockLedger.Settled}[{slot.Index}].epoch";
        var held = quantity;
        var (use, storedEpoch) = (SlotUse.AsItIs, slot.Epoch);
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var operations = new List<PatchOperation>(4);
            if (giveBack)
            {
                operations.Add(PatchOperation.Increment("/availableStock", held));
            }

            if (use == SlotUse.EmptyFirst)
            {
                operations.Add(PatchOperation.Remove(MarkerPath(orderId)));
                operations.Add(PatchOperation.Set($"/{StockLedger.Settled}/{slot.Index}", StockLedger.Slot(slot.Epoch, new Dictionary<string, int> { [orderId] = held })));
            }
            else
            {
                if (use == SlotUse.Restamp)
                {
                    operations.Add(PatchOperation.Set($"/{StockLedger.Settled}/{slot.Index}/epoch", slot.Epoch));
                }

                operations.Add(PatchOperation.Move(MarkerPath(orderId), $"/{StockLedger.Settled}/{slot.Index}/orders/{Escape(orderId)}"));
            }

            var condition = $"FROM c WHERE {marker} = {held} AND {slotEpoch} = {storedEpoch}";

            switch (await PatchAsync(tenantId, productId, operations, condition, cancellationToken))
            {
                case HttpStatusCode.OK:
                    return true;
                case HttpStatusCode.NotFound:
                    return false;
            }

            var stock = await ReadAsync(tenantId, productId, cancellationToken);
            if (stock?.HeldBy(orderId) is not { } holding)
            {
                return false;
            }

            held = holding;
            storedEpoch = stock.Settled is { Count: TombstoneSlot.Count } slots ? slots[slot.Index].Epoch : -1;
            use = slot.Use(storedEpoch);
        }

        throw Changing(productId);
    }

    /// <summary>One conditional patch; its status (200, 404 or 412), with a ledger missing from an older product document added first.</summary>
    private async Task<HttpStatusCode> PatchAsync(string tenantId, string productId, IReadOnlyList<PatchOperation> operations, string condition, CancellationToken cancellationToken)
    {
        var options = new PatchItemRequestOptions { FilterPredicate = condition, EnableContentResponseOnWrite = false };
        for (var attempt = 1; ; attempt++)
        {
            using var response = await SendAsync(() => Products.PatchItemStreamAsync(productId, new PartitionKey(tenantId), operations, options, cancellationToken)).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed)
            {
                return response.StatusCode;
            }

            if (response.StatusCode != HttpStatusCode.BadRequest || attempt > 1 || !await AddMissingLedgerAsync(tenantId, productId, cancellationToken).ConfigureAwait(false))
            {
                response.EnsureSuccessStatusCode();
                return response.StatusCode;
            }
        }
    }

    /// <summary>
    /// A product document written before the ledger existed lacks the parents the patches write into (Cosmos answers
    /// 400): adds what is missing, once, conditional on its still missing. True when the document lacked something.
    /// </summary>
    private async Task<bool> AddMissingLedgerAsync(string tenantId, string productId, CancellationToken cancellationToken)
    {
        var stock = await ReadAsync(tenantId, productId, cancellationToken);
        var operations = new List<PatchOperation>(2);
        var missing = new List<string>(2);
        if (stock is { Reservations: null })
        {
            operations.Add(PatchOperation.Set($"/{StockLedger.Reservations}", new Dictionary<string, int>()));
            missing.Add($"NOT IS_DEFINED(c.{StockLedger.Reservations})");
        }

        if (stock is not null && stock.Settled is not { Count: TombstoneSlot.Count })
        {
            operations.Add(PatchOperation.Set($"/{StockLedger.Settled}", StockLedger.EmptySlots(clock.GetUtcNow())));
            missing.Add($"(NOT IS_DEFINED(c.{StockLedger.Settled}) OR ARRAY_LENGTH(c.{StockLedger.Settled}) != {TombstoneSlot.Count})");
        }

        if (operations.Count == 0)
        {
            return false;
        }

        var options = new PatchItemRequestOptions { FilterPredicate = "FROM c WHERE " + string.Join(" AND ", missing), EnableContentResponseOnWrite = false };
        using var response = await SendAsync(() => Products.PatchItemStreamAsync(productId, new PartitionKey(tenantId), operations, options, cancellationToken)).ConfigureAwait(false);
        return true;
    }

    private async Task<StockDocument?> ReadAsync(string tenantId, string productId, CancellationToken cancellationToken) =>
        (await CosmosErrors.ReadOrNull<StockDocument>(Products, productId, tenantId, cancellationToken).ConfigureAwait(false))?.Value;

    /// <summary>
    /// A stream request, with Cosmos throttling, unavailable or unreachable (after the SDK's own retries) turned into
    /// the exception that makes the API answer 503 and the message be retried (<see cref="CosmosErrors.Unavailable"/>).
    /// </summary>
    private static async Task<ResponseMessage> SendAsync(Func<Task<ResponseMessage>> send)
    {
        ResponseMessage response;
        try
        {
            response = await send().ConfigureAwait(false);
        }
        catch (Exception e) when (CosmosErrors.Unavailable(e) is { } unavailable)
        {
            throw unavailable;
        }

        try
        {
            return response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout
                ? response.EnsureSuccessStatusCode()
                : response;
        }
        catch (CosmosException e) when (CosmosErrors.Unavailable(e) is { } unavailable)
        {
            response.Dispose();
            throw unavailable;
        }
    }

    private static InvalidOperationException Changing(string productId) =>
        new($"Product {productId} kept changing under {Attempts} attempts; the message is retried.");

    /// <summary>JSON Pointer to the order's marker.</summary>
    private static string MarkerPath(string orderId) => $"/{StockLedger.Reservations}/{Escape(orderId)}";

    /// <summary>RFC 6901 escaping of one path segment.</summary>
    private static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>The order id as a string literal of the Cosmos SQL predicate (JSON string escapes, which Cosmos SQL reads the same).</summary>
    private static string Literal(string value) => JsonSerializer.Serialize(value);

    /// <summary>The fields of a product document that reservations read.</summary>
    private sealed record StockDocument(int AvailableStock, bool Active, Dictionary<string, int>? Reservations, List<SettledSlot>? Settled)
    {
        public int? HeldBy(string orderId) => Reservations?.TryGetValue(orderId, out var quantity) == true ? quantity : null;

        public bool IsSettled(string orderId) => Settled?.Exists(s => s.Orders?.ContainsKey(orderId) == true) == true;
    }

    private sealed record SettledSlot(long Epoch, Dictionary<string, int>? Orders);
}
